import { elementInfo, typeElementsOf } from '../../model/type-info.ts';

/** What the indexer reads from a selected element; the same shape fhirpath.js nodes have. */
export interface PathNode {
  fhirNodeDataType: string;
  data: unknown;
}

/** A step is an element name or `ofType(T)`. */
const STEP = '([a-z][A-Za-z0-9]*|ofType\\([A-Za-z]+\\))';
/** `Type` or `Type.step.step…`. */
const SIMPLE_PATH = new RegExp(`^[A-Z][A-Za-z]*(\\.${STEP})*$`);
/** `step.step…`, relative to a node (a composite's components). */
const RELATIVE_PATH = new RegExp(`^${STEP}(\\.${STEP})*$`);

/**
 * `ofType(T)` also selects specialisations of T (an Age is a Quantity, a code is a string).
 * Where one of those could be selected the fast path steps aside rather than model it.
 */
const SPECIALISATIONS: Record<string, string[]> = {
  Quantity: ['Age', 'Count', 'Distance', 'Duration', 'SimpleQuantity', 'MoneyQuantity'],
  string: ['code', 'id', 'markdown'],
  uri: ['url', 'canonical', 'oid', 'uuid'],
  integer: ['positiveInt', 'unsignedInt'],
};

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

/** One step, resolved ahead: for each type a node may have here, the keys to read next. */
type Step = { ofType: string } | { name: string; keys: Map<string, { key: string; type: string }[]> };

/**
 * Most SearchParameter expressions are plain paths (`Observation.subject`,
 * `Patient.name.given`, `Observation.value.ofType(Quantity)`). Walking the JSON with the type
 * tables selects the same elements as fhirpath.js several times faster, which matters because
 * every parameter of a type runs on every write. Anything else (functions, operators,
 * resource-typed steps) returns undefined and stays with fhirpath.js;
 * test/unit/search/fast-path.test.ts checks both agree.
 */
export function compileFastPath(
  expression: string,
  resourceType: string,
): ((resource: unknown) => PathNode[]) | undefined {
  const names = absoluteSteps(expression);
  const plan = names && planSteps(names, [resourceType]);
  if (!plan) return undefined;
  return (resource) => {
    const root = resource as { resourceType?: string };
    if (typeof root?.resourceType !== 'string') return [];
    return walk(plan.steps, [{ fhirNodeDataType: root.resourceType, data: resource }]);
  };
}

/**
 * A composite's component (`value.ofType(Quantity)`), evaluated on each node its `base`
 * path selects; undefined unless the base is a plain path to elements of one type.
 */
export function compileComponentFastPath(
  base: string,
  expression: string,
  resourceType: string,
): ((node: unknown) => PathNode[]) | undefined {
  const baseNames = absoluteSteps(base);
  const basePlan = baseNames && planSteps(baseNames, [resourceType]);
  if (!basePlan || basePlan.types.length !== 1 || !RELATIVE_PATH.test(expression)) return undefined;
  const [type] = basePlan.types as [string];
  const plan = planSteps(expression.split('.'), [type]);
  if (!plan) return undefined;
  return (node) => walk(plan.steps, [{ fhirNodeDataType: type, data: node }]);
}

/** The steps after the type of an absolute path, or undefined if it is not a plain path. */
function absoluteSteps(expression: string): string[] | undefined {
  // `(X as T).rest` selects what `X.ofType(T).rest` does on the single-valued choices it is used on.
  const as = /^\(([A-Za-z.]+) as ([A-Za-z]+)\)((?:\.[a-z][A-Za-z0-9]*)*)$/.exec(expression);
  if (as) expression = `${as[1]}.ofType(${as[2]})${as[3]}`;
  if (!SIMPLE_PATH.test(expression)) return undefined;
  return expression.split('.').slice(1);
}

/** Resolves each step against the type tables; none may be unknown or hold a resource. */
function planSteps(names: string[], rootTypes: string[]): { steps: Step[]; types: string[] } | undefined {
  let types = rootTypes;
  const steps: Step[] = [];
  for (const name of names) {
    const ofType = /^ofType\(([A-Za-z]+)\)$/.exec(name)?.[1];
    if (ofType) {
      if (types.some((t) => SPECIALISATIONS[ofType]?.includes(t))) return undefined;
      types = types.filter((t) => t === ofType);
      steps.push({ ofType });
    } else {
      const keys = new Map(types.map((t) => [t, keysOf(t, name)]));
      types = [...new Set([...keys.values()].flat().map((k) => k.type))];
      steps.push({ name, keys });
    }
    if (types.length === 0 || types.includes('Resource')) return undefined;
  }
  return { steps, types };
}

function walk(steps: Step[], start: PathNode[]): PathNode[] {
  let nodes = start;
  for (const step of steps) {
    if ('ofType' in step) {
      nodes = nodes.filter((n) => n.fhirNodeDataType === step.ofType);
      continue;
    }
    const next: PathNode[] = [];
    for (const node of nodes) {
      const value = node.data as Record<string, unknown> | null;
      if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
      for (const { key, type } of step.keys.get(node.fhirNodeDataType) ??
        keysOf(node.fhirNodeDataType, step.name)) {
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
}
