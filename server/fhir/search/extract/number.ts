import { isComplexType, isPrimitiveType } from '../../model/type-info.ts';
import type { NumberEntry } from '../types.ts';
import type { ElementNode } from './node.ts';

const NUMERIC = new Set(['decimal', 'integer', 'positiveInt', 'unsignedInt', 'integer64']);
const DECIMAL = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** Number index entries for one element of a stored resource; `type` undefined: read the JSON shape. */
export function numberEntries(node: ElementNode): NumberEntry[] {
  const { type } = node;
  const declared = type !== undefined && NUMERIC.has(type);
  if (type !== undefined && !declared && (isPrimitiveType(type) || isComplexType(type))) return [];
  const value = numeric(node.value, declared);
  return value === undefined ? [] : [{ value }];
}

/**
 * A finite number from a JSON number or a numeric string (bad data, but harmless to read). When
 * the type says decimal, also from a wrapper with a numeric `value`: fhirpath.js's node data for
 * decimals is one.
 */
function numeric(v: unknown, declared: boolean): number | undefined {
  if (typeof v === 'string') v = DECIMAL.test(v) ? Number(v) : undefined;
  else if (declared && typeof v === 'object' && v !== null && 'value' in v) v = v.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
