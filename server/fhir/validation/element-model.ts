import type { SchemaNode } from './fhir-schema.ts';

/** Marks a slot that holds a whole resource (contained, Bundle.entry.resource, ...). */
export const RESOURCE_SLOT = 'ResourceList';

export interface Slot {
  /** Schema definition name of the element's type (`Reference`, `Patient_Contact`), or RESOURCE_SLOT. */
  readonly type: string;
  readonly array: boolean;
}

/** Complex-typed properties per definition; primitive-typed properties are left out as nothing nests in them. */
export type ElementModel = ReadonlyMap<string, ReadonlyMap<string, Slot>>;

/**
 * Primitive-typed properties per definition, with their FHIR type (`date`, `canonical`, `code`).
 * The `_x` companions are not among them: they are Elements, so they are in the ElementModel.
 */
export type PrimitiveModel = ReadonlyMap<string, ReadonlyMap<string, Slot>>;

export function buildElementModel(definitions: Readonly<Record<string, SchemaNode>>): ElementModel {
  const model = new Map<string, Map<string, Slot>>();
  for (const [name, definition] of Object.entries(definitions)) {
    if (!definition.properties) continue;
    const slots = new Map<string, Slot>();
    for (const [property, node] of Object.entries(definition.properties)) {
      const type = refName(node.$ref ?? node.items?.$ref);
      if (type === RESOURCE_SLOT || (type && definitions[type]?.properties))
        slots.set(property, { type, array: node.type === 'array' });
    }
    model.set(name, slots);
  }
  return model;
}

/**
 * `typeNames` names the primitive schemas written inline (`valueDate`, see fhir-schema.ts). A code
 * whose value set the schema spells out as an `enum` is a `code`; `resourceType` (a `const`) is no
 * element at all.
 */
export function buildPrimitiveModel(
  definitions: Readonly<Record<string, SchemaNode>>,
  typeNames: ReadonlyMap<object, string>,
): PrimitiveModel {
  const model = new Map<string, Map<string, Slot>>();
  for (const [name, definition] of Object.entries(definitions)) {
    if (!definition.properties) continue;
    const slots = new Map<string, Slot>();
    for (const [property, node] of Object.entries(definition.properties)) {
      const inner = node.items ?? node;
      const type =
        refName(inner.$ref) ?? typeNames.get(inner) ?? (Array.isArray(inner.enum) ? 'code' : undefined);
      // ResourceList has no properties either (see fhir-schema.ts), but it is no primitive.
      if (type && type !== RESOURCE_SLOT && definitions[type] && !definitions[type].properties)
        slots.set(property, { type, array: node.type === 'array' });
    }
    model.set(name, slots);
  }
  return model;
}

function refName(ref: string | undefined): string | undefined {
  return ref?.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
}
