import type { Resource, StoredVersion } from '../storage/types.ts';

type Identifier = { system?: string; value?: string; use?: string; period?: { end?: string } };

/**
 * A Patient's retired numbers — `use: old` with a `period.end`, as a merge leaves the numbers of
 * the record it retired on the survivor — stay when an update leaves them out. They are how
 * messages and systems that still know a merged record's number find the survivor; a HIS that
 * replaces its patient (ADT^A08) sends only the numbers it uses now, and would otherwise make
 * the next message with an old number create a second patient. An update that lists one keeps
 * it as sent.
 */
export function keepRetiredIdentifiers(resource: Resource, current: StoredVersion | undefined): Resource {
  if (resource.resourceType !== 'Patient' || !current?.content || current.deleted) return resource;
  // Every Patient update passes here; only one with a retired number is worth parsing.
  if (!current.content.includes('"old"')) return resource;
  const before = ((JSON.parse(current.content) as Resource).identifier ?? []) as Identifier[];
  const retired = before.filter((i) => i.use === 'old' && i.period?.end && i.system && i.value);
  if (!retired.length) return resource;
  const now = (resource.identifier ?? []) as Identifier[];
  const missing = retired.filter((r) => !now.some((i) => i.system === r.system && i.value === r.value));
  return missing.length ? { ...resource, identifier: [...now, ...missing] } : resource;
}
