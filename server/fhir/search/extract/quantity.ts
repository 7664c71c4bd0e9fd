import { isComplexType, isPrimitiveType } from '../../model/type-info.ts';
import type { QuantityEntry } from '../types.ts';
import type { ElementNode } from './node.ts';

// SimpleQuantity and MoneyQuantity are profiles of Quantity that fhirpath.js may still name.
const QUANTITY = new Set([
  'Quantity',
  'Age',
  'Duration',
  'Distance',
  'Count',
  'SimpleQuantity',
  'MoneyQuantity',
]);
const DECIMAL = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const ISO_4217 = 'urn:iso:std:iso:4217';

type Rec = Record<string, unknown>;

/**
 * Quantity index entries for one element of a stored resource; `type` undefined: read the JSON
 * shape. The comparator (`<5 mg`) is not indexed: the value is indexed as if it were exact.
 */
export function quantityEntries(node: ElementNode): QuantityEntry[] {
  const { value } = node;
  if (!isRecord(value)) return [];
  const amount = numeric(value.value);
  if (amount === undefined) return [];
  switch (kindOf(node.type, value)) {
    case 'Quantity':
      return [{ value: amount, system: text(value.system), code: text(value.code), unit: text(value.unit) }];
    case 'Money': {
      const currency = text(value.currency);
      return [{ value: amount, system: currency === null ? null : ISO_4217, code: currency, unit: null }];
    }
    default:
      return [];
  }
}

function kindOf(type: string | undefined, value: Rec): 'Quantity' | 'Money' | 'none' {
  if (type !== undefined && (QUANTITY.has(type) || isPrimitiveType(type) || isComplexType(type))) {
    if (type === 'Money') return 'Money';
    return QUANTITY.has(type) ? 'Quantity' : 'none';
  }
  return 'currency' in value ? 'Money' : 'Quantity';
}

/** A finite number, also from a numeric string (bad data, but harmless to read). */
function numeric(v: unknown): number | undefined {
  const n = typeof v === 'string' && DECIMAL.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** A non-empty string, else null. */
function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
