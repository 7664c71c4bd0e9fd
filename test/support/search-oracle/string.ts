import type { Typed } from './definitions.ts';
import { normalize, unescape } from './values.ts';

/** The string parameter rules of server/fhir/search/README.md. */

export interface StringEntry {
  exact: string;
  norm: string;
}

const HUMAN_NAME = ['family', 'given', 'prefix', 'suffix', 'text'];
const ADDRESS = ['line', 'city', 'district', 'state', 'postalCode', 'country', 'text'];
const COMPLEX: Record<string, string[]> = { HumanName: HUMAN_NAME, Address: ADDRESS };

export function stringEntries(values: Typed[]): StringEntry[] {
  const texts: string[] = [];
  for (const { type, value } of values) {
    const fields = COMPLEX[type];
    if (fields) {
      for (const field of fields) {
        const v = value[field];
        for (const s of Array.isArray(v) ? v : [v]) if (typeof s === 'string') texts.push(s);
      }
    } else if (typeof value === 'string') texts.push(value);
    // Other complex types are not string-indexed.
  }
  return texts.map((exact) => ({ exact, norm: normalize(exact) }));
}

export type StringModifier = '' | 'exact' | 'contains';

export function matchString(entries: StringEntry[], raw: string, modifier: StringModifier): boolean {
  const value = unescape(raw);
  if (modifier === 'exact') return entries.some((e) => e.exact === value);
  const want = normalize(value);
  if (modifier === 'contains') return entries.some((e) => e.norm.includes(want));
  return entries.some((e) => e.norm.startsWith(want));
}
