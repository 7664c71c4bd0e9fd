import { keepDecimalTexts } from '../format/json.ts';

type Json = unknown;

/** Calls `visit` for every Reference.reference string in a resource, contained ones included. */
export function forEachReference(node: Json, visit: (ref: string) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) forEachReference(item, visit);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'reference' && typeof value === 'string') visit(value);
      else if (typeof value === 'object') forEachReference(value, visit);
    }
  }
}

/**
 * A copy of `node` with every reference that `map` knows replaced. Narrative links to the
 * same fullUrls (`<a href="urn:uuid:…">`) are rewritten too, as the spec asks.
 */
export function rewriteReferences(node: Json, map: Map<string, string>): Json {
  if (Array.isArray(node))
    return keepDecimalTexts(
      node,
      node.map((item) => rewriteReferences(item, map)),
    );
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = keepDecimalTexts(node, {});
  for (const [key, value] of Object.entries(node)) {
    if (key === 'reference' && typeof value === 'string') out[key] = map.get(value) ?? value;
    else if (key === 'div' && typeof value === 'string') out[key] = rewriteNarrative(value, map);
    else out[key] = typeof value === 'object' ? rewriteReferences(value, map) : value;
  }
  return out;
}

function rewriteNarrative(div: string, map: Map<string, string>): string {
  if (!div.includes('urn:')) return div;
  return div.replace(/(href|src)="(urn:(?:uuid|oid):[^"]+)"/g, (all, attr: string, url: string) => {
    const target = map.get(url);
    return target ? `${attr}="${target}"` : all;
  });
}
