import { stringifyFhirJson } from '../format/json.ts';
import type { Resource } from './types.ts';

/**
 * Stored JSON puts resourceType, id and meta first, whatever order the client sent; the rest
 * keeps the client's order. Reads then serve the text as is.
 */
export function stampAndSerialize(
  resource: Resource,
  id: string,
  versionId: number,
  lastUpdated: Date,
): { text: string; resource: Resource } {
  const { resourceType, id: _ignoredId, meta, ...rest } = resource;
  const stamped: Resource = {
    resourceType,
    id,
    meta: { ...(meta ?? {}), versionId: String(versionId), lastUpdated: lastUpdated.toISOString() },
    ...rest,
  };
  return { text: stringifyFhirJson(stamped), resource: stamped };
}

/** Content without server-owned meta, for detecting updates that change nothing. */
export function withoutVersionMeta(resource: Resource): string {
  const { meta, id: _id, ...rest } = resource;
  if (!meta) return stringifyFhirJson(rest);
  const { versionId: _v, lastUpdated: _l, ...otherMeta } = meta;
  return stringifyFhirJson(Object.keys(otherMeta).length ? { ...rest, meta: otherMeta } : rest);
}
