import type { Typed } from './definitions.ts';
import { normalize, splitUnescaped, unescape } from './values.ts';

/** The token parameter rules of server/fhir/search/README.md. */

export interface TokenEntry {
  system: string | null;
  code: string | null;
  /** Coding.display, CodeableConcept.text or Identifier.type.text, for `:text`. */
  text: string | null;
  /** Identifier.type codings, for `:of-type`. */
  types?: { system: string | null; code: string | null }[];
}

type Json = Record<string, any>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function coding(c: Json): TokenEntry {
  return { system: str(c.system), code: str(c.code), text: str(c.display) };
}

export function tokenEntries(values: Typed[]): TokenEntry[] {
  const out: TokenEntry[] = [];
  for (const { type, value } of values) {
    switch (type) {
      case 'Coding':
        out.push(coding(value));
        break;
      case 'CodeableConcept':
        for (const c of value.coding ?? []) out.push(coding(c));
        if (typeof value.text === 'string') out.push({ system: null, code: null, text: value.text });
        break;
      case 'Identifier':
        out.push({
          system: str(value.system),
          code: str(value.value),
          text: str(value.type?.text),
          types: (value.type?.coding ?? []).map((c: Json) => ({ system: str(c.system), code: str(c.code) })),
        });
        break;
      case 'ContactPoint':
        out.push({ system: str(value.system), code: str(value.value), text: null });
        break;
      case 'boolean':
        out.push({ system: null, code: String(value), text: null });
        break;
      default:
        // code, string, uri, id and the like: the value itself, without a system.
        if (typeof value === 'string') out.push({ system: null, code: value, text: null });
    }
  }
  return out.filter((e) => e.system !== null || e.code !== null || e.text !== null);
}

export type TokenModifier = '' | 'not' | 'text' | 'of-type';

/** One value (not an OR list); `:not` is the caller's negation of the plain match. */
export function matchToken(entries: TokenEntry[], raw: string, modifier: TokenModifier): boolean {
  if (modifier === 'text') {
    const want = normalize(unescape(raw));
    return entries.some((e) => e.text !== null && normalize(e.text).startsWith(want));
  }
  const pieces = splitUnescaped(raw, '|').map(unescape);
  if (modifier === 'of-type') {
    const [typeSystem, typeCode, value] = pieces;
    return entries.some(
      (e) => e.code === value && (e.types ?? []).some((t) => t.system === typeSystem && t.code === typeCode),
    );
  }
  if (pieces.length === 1) return entries.some((e) => e.code !== null && e.code === pieces[0]);
  const [system, code] = pieces as [string, string];
  if (system === '') return entries.some((e) => e.system === null && e.code !== null && e.code === code);
  if (code === '') return entries.some((e) => e.system === system);
  return entries.some((e) => e.system === system && e.code === code);
}
