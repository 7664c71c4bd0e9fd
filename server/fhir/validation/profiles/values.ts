/** JSON-level helpers: fixed[x]/pattern[x] comparison and choice-type names. */
import type { ElementDefinition } from './types.ts';

const PRIMITIVES = new Set([
  'base64Binary',
  'boolean',
  'canonical',
  'code',
  'date',
  'dateTime',
  'decimal',
  'id',
  'instant',
  'integer',
  'markdown',
  'oid',
  'positiveInt',
  'string',
  'time',
  'unsignedInt',
  'uri',
  'url',
  'uuid',
  'xhtml',
]);

export function isPrimitiveType(code: string | undefined): boolean {
  return code !== undefined && PRIMITIVES.has(code);
}

/** `valueDateTime` -> `dateTime`, `valueQuantity` -> `Quantity` (the suffix after a choice prefix). */
export function typeFromSuffix(suffix: string): string {
  const lower = suffix.charAt(0).toLowerCase() + suffix.slice(1);
  return PRIMITIVES.has(lower) ? lower : suffix;
}

/** The JSON name suffix of a type: `dateTime` -> `DateTime`. */
export function suffixForType(code: string): string {
  return code.charAt(0).toUpperCase() + code.slice(1);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Exact equality, as fixed[x] demands (object key order does not matter). */
export function deepEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEquals(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => deepEquals(a[k], b[k]));
  }
  return false;
}

/**
 * pattern[x] semantics: every property of the pattern is in the value with a matching value;
 * every item of a pattern array matches some item of the value's array.
 */
export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) {
    if (!Array.isArray(value)) return false;
    return pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  }
  if (isObject(pattern)) {
    if (!isObject(value)) return false;
    return Object.entries(pattern).every(([k, p]) => matchesPattern(value[k], p));
  }
  return value === pattern;
}

export interface FixedValue {
  kind: 'fixed' | 'pattern';
  /** The ElementDefinition key, e.g. `patternCodeableConcept`. */
  key: string;
  value: unknown;
}

/** The element's fixed[x] or pattern[x], if it has one. */
export function fixedValueOf(def: ElementDefinition): FixedValue | undefined {
  for (const [key, value] of Object.entries(def)) {
    if (key.startsWith('fixed') && key.length > 5) return { kind: 'fixed', key, value };
    if (key.startsWith('pattern') && key.length > 7) return { kind: 'pattern', key, value };
  }
  return undefined;
}

export function matchesFixedValue(value: unknown, fixed: FixedValue): boolean {
  return fixed.kind === 'fixed' ? deepEquals(value, fixed.value) : matchesPattern(value, fixed.value);
}

/** Upper bound of an ElementDefinition.max (`*` -> Infinity). */
export function maxOf(max: string | undefined): number {
  if (max === undefined || max === '*') return Infinity;
  const n = Number(max);
  return Number.isFinite(n) ? n : Infinity;
}
