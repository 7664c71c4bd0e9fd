import { elementInfo, typeElementsOf } from '../../model/type-info.ts';

/** What the indexer reads from a selected element; the same shape fhirpath.js nodes have. */
export interface PathNode {
  fhirNodeDataType: string;
  data: unknown;
}

const SIMPLE_PATH = /^[A-Z][A-Za-z]*(\.[a-z][A-Za-z0-9]*)+$/;

/** The JSON keys of element `name` on `type`: itself, or each `name<Type>` of a choice. */
function keysOf(type: string, name: string): { key: string; type: string }[] {
  const direct = elementInfo(type, name);
  if (direct) return [{ key: name, type: direct.type }];
  const out: { key: string; type: string }[] = [];
  for (const [key, info] of typeElementsOf(type) ?? []) {
    if (key.length > name.length && key.startsWith(name) && /[A-Z]/.test(key[name.length]!)) {
      out.push({ key, type: info.type });
    }
  }
  return out;
}

/**
 * Most SearchParameter expressions are plain paths (`Observation.subject`,
 * `Patient.name.given`). Walking the JSON with the type tables selects the same elements as
 * fhirpath.js several times faster, which matters because every parameter of a type runs on
 * every write. Anything else (functions, operators, resource-typed steps) returns undefined
 * and stays with fhirpath.js; test/unit/search/fast-path.test.ts checks both agree.
 */
export function compileFastPath(
  expression: string,
  resourceType: string,
): ((resource: unknown) => PathNode[]) | undefined {
  if (!SIMPLE_PATH.test(expression)) return undefined;
  const [, ...steps] = expression.split('.');
  // Every step must be known to the type tables and none may hold a resource.
  let types = [resourceType];
  for (const step of steps) {
    const next = types.flatMap((t) => keysOf(t, step).map((k) => k.type));
    if (next.length === 0 || next.includes('Resource')) return undefined;
    types = next;
  }
  return (resource) => {
    const root = resource as { resourceType?: string };
    if (typeof root?.resourceType !== 'string') return [];
    let nodes: PathNode[] = [{ fhirNodeDataType: root.resourceType, data: resource }];
    for (const step of steps) {
      const next: PathNode[] = [];
      for (const node of nodes) {
        const value = node.data as Record<string, unknown> | null;
        if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
        for (const { key, type } of keysOf(node.fhirNodeDataType, step)) {
          const v = value[key];
          if (v === undefined || v === null) continue;
          for (const item of Array.isArray(v) ? v : [v]) {
            if (item !== null && item !== undefined) next.push({ fhirNodeDataType: type, data: item });
          }
        }
      }
      nodes = next;
    }
    return nodes;
  };
}
