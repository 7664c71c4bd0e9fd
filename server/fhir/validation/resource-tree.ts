import { RESOURCE_SLOT, type ElementModel, type Slot } from './element-model.ts';
import { childPath, indexPath } from './fhirpath.ts';

export type JsonObject = Record<string, unknown>;

export interface ResourceNode {
  readonly value: unknown;
  /** FHIRPath of the resource, e.g. `Bundle.entry[2].resource`. */
  readonly path: string;
  /** The resourceType when it is a known one; nothing below an unknown resource is walked. */
  readonly type: string | undefined;
  /** For a contained resource: the resource whose `contained` list holds it. */
  readonly container: ResourceNode | undefined;
}

export interface ElementNode {
  /** Schema definition name, e.g. `Reference`, `HumanName`, `Observation`. */
  readonly definition: string;
  readonly value: JsonObject;
  readonly path: string;
  readonly resource: ResourceNode;
}

export interface ResourceTree {
  /** The root first, then every nested resource in document order. */
  readonly resources: ResourceNode[];
  /** Every complex-typed object (resources included), tagged with its type from the schema. */
  readonly elements: ElementNode[];
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Walks a resource guided by the schema's types rather than by property names alone, so that e.g.
 * `DetectedIssue.reference` (a uri) is never mistaken for a Reference. Properties the schema does not
 * know, or values of the wrong JSON shape, are skipped: the schema validator reports those.
 */
export function buildResourceTree(
  root: unknown,
  rootPath: string,
  model: ElementModel,
  isKnownType: (type: string) => boolean,
): ResourceTree {
  const resources: ResourceNode[] = [];
  const elements: ElementNode[] = [];

  const visitResource = (value: unknown, path: string, container: ResourceNode | undefined): void => {
    const resourceType = isJsonObject(value) ? value.resourceType : undefined;
    const type = typeof resourceType === 'string' && isKnownType(resourceType) ? resourceType : undefined;
    const node: ResourceNode = { value, path, type, container };
    resources.push(node);
    if (type) visitElement(type, value as JsonObject, path, node);
  };

  const visitElement = (definition: string, value: JsonObject, path: string, owner: ResourceNode): void => {
    elements.push({ definition, value, path, resource: owner });
    const slots = model.get(definition);
    if (!slots) return;
    for (const [key, child] of Object.entries(value)) {
      const slot = slots.get(key);
      // A single value where an array belongs (or vice versa) is the schema validator's to report.
      if (!slot || slot.array !== Array.isArray(child)) continue;
      const base = childPath(path, key);
      const container = key === 'contained' ? owner : undefined;
      if (Array.isArray(child)) {
        child.forEach((item, i) => visitSlot(slot, item, indexPath(base, i), owner, container));
      } else {
        visitSlot(slot, child, base, owner, container);
      }
    }
  };

  const visitSlot = (
    slot: Slot,
    value: unknown,
    path: string,
    owner: ResourceNode,
    container: ResourceNode | undefined,
  ): void => {
    if (slot.type === RESOURCE_SLOT) visitResource(value, path, container);
    else if (isJsonObject(value)) visitElement(slot.type, value, path, owner);
  };

  visitResource(root, rootPath, undefined);
  return { resources, elements };
}
