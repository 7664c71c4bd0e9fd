/** The instance side: the JSON values an element definition applies to, with their locations. */
import type { ElementNode } from './element-tree.ts';
import { isObject, typeFromSuffix } from './values.ts';

const SYSTEM_TYPE = 'http://hl7.org/fhirpath/System.';

export interface Item {
  /** The JSON value: an object for complex types, the primitive for primitives. */
  readonly value: unknown;
  /** For primitives: the `_name` companion with `id` and `extension`. */
  readonly ext?: Record<string, unknown>;
  /** The type when known: a choice suffix, the element's only type, or a resource's resourceType. */
  readonly type?: string;
  /** FHIRPath location, e.g. `Patient.name[0].given[1]`. */
  readonly location: string;
}

/** The object whose properties are the item's child elements (a primitive's are `id`, `extension`, `value`). */
function propertiesOf(item: Item): Record<string, unknown> | undefined {
  if (isObject(item.value)) return item.value;
  if (item.value === undefined && !item.ext) return undefined;
  return { ...(item.ext ?? {}), value: item.value };
}

function declaredType(child: ElementNode, value: unknown): string | undefined {
  const types = child.def.type ?? [];
  if (types.length !== 1) return undefined;
  const code = types[0]!.code;
  if (code.startsWith(SYSTEM_TYPE)) return undefined;
  if (code === 'Resource' && isObject(value) && typeof value.resourceType === 'string') return value.resourceType;
  return code;
}

function itemsAt(props: Record<string, unknown>, key: string, location: string, child: ElementNode): Item[] {
  const raw = props[key];
  const rawExt = key === 'value' ? undefined : props[`_${key}`];
  if (Array.isArray(raw) || Array.isArray(rawExt)) {
    const values = Array.isArray(raw) ? raw : [];
    const exts = Array.isArray(rawExt) ? rawExt : [];
    const out: Item[] = [];
    for (let i = 0; i < Math.max(values.length, exts.length); i++) {
      const value = values[i] ?? undefined;
      const ext = isObject(exts[i]) ? (exts[i] as Record<string, unknown>) : undefined;
      if (value === undefined && !ext) continue;
      out.push({ value, ext, type: declaredType(child, value), location: `${location}.${key}[${i}]` });
    }
    return out;
  }
  if (raw === undefined && !isObject(rawExt)) return [];
  const ext = isObject(rawExt) ? rawExt : undefined;
  return [{ value: raw, ext, type: declaredType(child, raw), location: `${location}.${key}` }];
}

/**
 * The values of `child` in `parent`. A choice element (`value[x]`) collects every `valueXxx`
 * (and `_valueXxx`) whose name is not itself a sibling element; the suffix gives the type.
 */
export function childItems(parent: Item, child: ElementNode, siblings: ReadonlyMap<string, unknown>): Item[] {
  const props = propertiesOf(parent);
  if (!props) return [];
  if (!child.name.endsWith('[x]')) return itemsAt(props, child.name, parent.location, child);
  const prefix = child.name.slice(0, -3);
  const names = new Set<string>();
  for (const key of Object.keys(props)) {
    const name = key.startsWith('_') ? key.slice(1) : key;
    const first = name.charAt(prefix.length);
    if (!name.startsWith(prefix) || first === '' || first !== first.toUpperCase()) continue;
    if (!siblings.has(name)) names.add(name);
  }
  const out: Item[] = [];
  for (const name of names) {
    const type = typeFromSuffix(name.slice(prefix.length));
    for (const item of itemsAt(props, name, parent.location, child)) out.push({ ...item, type });
  }
  return out;
}

/** True when the item holds anything (a value or, for a primitive, an extension). */
export function isPresent(item: Item): boolean {
  return item.value !== undefined || item.ext !== undefined;
}

