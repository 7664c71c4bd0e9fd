import type { Typed } from './definitions.ts';
import { splitUnescaped, unescape } from './values.ts';

/** The reference parameter rules of server/fhir/search/README.md (chains and _has: query.ts). */

export type ReferenceEntry =
  | { kind: 'local'; type: string; id: string }
  | { kind: 'url'; url: string; version: string | null }
  | { kind: 'identifier'; system: string | null; value: string | null };

const LOCAL = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/** `Type/id`, relative or under this server's base; anything else but `#contained` is a URL. */
export function parseReference(text: string, base: string): ReferenceEntry | undefined {
  if (text.startsWith('#')) return undefined;
  const relative = text.startsWith(`${base}/`) ? text.slice(base.length + 1) : text;
  const m = LOCAL.exec(relative);
  if (m) return { kind: 'local', type: m[1]!, id: m[2]! };
  return { kind: 'url', url: text, version: null };
}

export function referenceEntries(values: Typed[], base: string): ReferenceEntry[] {
  const out: ReferenceEntry[] = [];
  for (const { type, value } of values) {
    if (type === 'Reference') {
      if (typeof value.reference === 'string') {
        const e = parseReference(value.reference, base);
        if (e) out.push(e);
      }
      const ident = value.identifier;
      if (ident && (typeof ident.system === 'string' || typeof ident.value === 'string')) {
        out.push({ kind: 'identifier', system: ident.system ?? null, value: ident.value ?? null });
      }
    } else if (type === 'canonical' || type === 'uri' || type === 'url') {
      if (typeof value !== 'string') continue;
      // Canonicals and URIs match as URLs, even the relative ones some examples use.
      const bar = type === 'canonical' ? value.lastIndexOf('|') : -1;
      const url = bar < 0 ? value : value.slice(0, bar);
      out.push({ kind: 'url', url, version: bar < 0 ? null : value.slice(bar + 1) });
    }
    // A resource (Bundle.entry[0].resource) or an Attachment is not a reference value.
  }
  return out;
}

/** One value against the entries; `modifier` is '' , 'identifier' or a resource type. */
export function matchReference(
  entries: ReferenceEntry[],
  raw: string,
  modifier: string,
  base: string,
): boolean {
  if (modifier === 'identifier') {
    const pieces = splitUnescaped(raw, '|').map(unescape);
    const [system, value] = pieces.length === 1 ? [undefined, pieces[0]] : pieces;
    return entries.some(
      (e) =>
        e.kind === 'identifier' &&
        (system === undefined || (system === '' ? e.system === null : e.system === system)) &&
        (value === '' || e.value === value),
    );
  }
  const text = unescape(raw);
  const relative = text.startsWith(`${base}/`) ? text.slice(base.length + 1) : text;
  const local = LOCAL.exec(relative);
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(relative)) {
    return entries.some(
      (e) => e.kind === 'local' && e.id === relative && (modifier === '' || e.type === modifier),
    );
  }
  if (local) {
    return entries.some(
      (e) =>
        e.kind === 'local' &&
        e.type === local[1] &&
        e.id === local[2] &&
        (modifier === '' || e.type === modifier),
    );
  }
  const [url, version] = splitUnescaped(raw, '|').map(unescape) as [string, string | undefined];
  return entries.some(
    (e) => e.kind === 'url' && e.url === url && (version === undefined || e.version === version),
  );
}
