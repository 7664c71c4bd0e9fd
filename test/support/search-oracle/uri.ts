import type { Typed } from './definitions.ts';
import { unescape } from './values.ts';

/** The uri parameter rules of server/fhir/search/README.md. */

export function uriEntries(values: Typed[]): string[] {
  return values.map((v) => v.value).filter((v): v is string => typeof v === 'string');
}

export type UriModifier = '' | 'below' | 'above';

export function matchUri(entries: string[], raw: string, modifier: UriModifier): boolean {
  const value = unescape(raw);
  if (modifier === 'below') return entries.some((u) => u.startsWith(value));
  if (modifier === 'above') return entries.some((u) => value.startsWith(u));
  return entries.some((u) => u === value);
}
