import type { Typed } from './definitions.ts';
import {
  absDec,
  addDec,
  cmpDec,
  halfUnit,
  negDec,
  parseDec,
  shiftDec,
  splitPrefix,
  splitUnescaped,
  unescape,
  type Dec,
  type Prefix,
} from './values.ts';

/** The number and quantity parameter rules of server/fhir/search/README.md, in exact decimals. */

export interface QuantityEntry {
  value: Dec;
  system: string | null;
  code: string | null;
  unit: string | null;
}

const QUANTITIES = new Set([
  'Quantity',
  'Age',
  'Count',
  'Distance',
  'Duration',
  'SimpleQuantity',
  'MoneyQuantity',
]);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function numberEntries(values: Typed[]): Dec[] {
  const out: Dec[] = [];
  for (const { type, value } of values) {
    if (!['integer', 'decimal', 'positiveInt', 'unsignedInt'].includes(type)) continue;
    const d = parseDec(value);
    if (d) out.push(d);
  }
  return out;
}

export function quantityEntries(values: Typed[]): QuantityEntry[] {
  const out: QuantityEntry[] = [];
  for (const { type, value } of values) {
    const d = typeof value?.value === 'number' ? parseDec(value.value) : undefined;
    if (!d) continue;
    if (QUANTITIES.has(type)) {
      out.push({ value: d, system: str(value.system), code: str(value.code), unit: str(value.unit) });
    } else if (type === 'Money') {
      out.push({ value: d, system: 'urn:iso:std:iso:4217', code: str(value.currency), unit: null });
    }
  }
  return out;
}

/** Does stored `x` satisfy `prefix` against the literal `text` (whose precision sets the eq range)? */
export function numberMatches(prefix: Prefix, text: string, x: Dec): boolean {
  const v = parseDec(text);
  if (!v) throw new Error(`oracle: bad number ${text}`);
  const half = halfUnit(text);
  const inRange = cmpDec(x, addDec(v, negDec(half))) >= 0 && cmpDec(x, addDec(v, half)) < 0;
  const c = cmpDec(x, v);
  switch (prefix) {
    case 'eq':
      return inRange;
    case 'ne':
      return !inRange;
    case 'gt':
    case 'sa':
      return c > 0;
    case 'lt':
    case 'eb':
      return c < 0;
    case 'ge':
      return c >= 0;
    case 'le':
      return c <= 0;
    case 'ap':
      // |x - v| ≤ 10% of |v|
      return cmpDec(absDec(addDec(x, negDec(v))), shiftDec(absDec(v), 1)) <= 0;
  }
}

export function matchNumber(entries: Dec[], raw: string): boolean {
  const [prefix, text] = splitPrefix(raw);
  return entries.some((x) => numberMatches(prefix, text, x));
}

export function parseQuantityQuery(raw: string): {
  prefix: Prefix;
  number: string;
  system?: string;
  code?: string;
} {
  const [num, system, code] = splitUnescaped(raw, '|').map(unescape);
  const [prefix, number] = splitPrefix(num!);
  return { prefix, number, ...(system !== undefined && { system }), ...(code !== undefined && { code }) };
}

export function matchQuantity(entries: QuantityEntry[], raw: string): boolean {
  const q = parseQuantityQuery(raw);
  return entries.some((e) => {
    if (!numberMatches(q.prefix, q.number, e.value)) return false;
    if (q.code === undefined || q.code === '')
      return q.system === undefined || q.system === '' || e.system === q.system;
    if (q.system === undefined || q.system === '') return e.code === q.code || e.unit === q.code;
    return e.system === q.system && e.code === q.code;
  });
}
