import { FhirError } from '../fhir/errors.ts';
import type { ResourceStore } from '../fhir/storage/resource-store.ts';
import type { Resource, StoredVersion } from '../fhir/storage/types.ts';
import type { AccessPolicy, WriteLetter } from './policy.ts';
import { assertNotCollectiveManaged } from './rules/collective-managed.ts';
import { assertNotPortalManaged } from './rules/portal-managed.ts';
import { assertNotSharedOnly } from './rules/shared-with.ts';
import { assertIdentifiersKept } from './rules/server-identifiers.ts';

const VERB: Record<WriteLetter, string> = { c: 'create', u: 'update', d: 'delete' };

function refuse(access: AccessPolicy, resourceType: string, id: string, letter?: WriteLetter): never {
  const verb = letter ? VERB[letter] : 'write';
  throw new FhirError(403, `${access.describe} may not ${verb} ${resourceType}/${id}`, { code: 'forbidden' });
}

function replaceable(access: AccessPolicy, current: StoredVersion | undefined, letter: WriteLetter): boolean {
  if (!current?.content) return true;
  return access.canWrite(JSON.parse(current.content) as Resource, letter);
}

/**
 * For interactions that answer from the current version before writing: a version the caller
 * may not replace is refused first, and with `answersFromCurrent` (If-Match compares its
 * version) so is one they may not see, so a 412 cannot tell them what exists.
 */
export function assertReplaceable(
  access: AccessPolicy,
  current: StoredVersion | undefined,
  answersFromCurrent: boolean,
): void {
  if (!access.restricted || !current?.content) return;
  const resource = JSON.parse(current.content) as Resource;
  if (access.canSee(resource))
    assertNotSharedOnly(access.organizations, current.resourceType, current.id, resource);
  if (!access.canWrite(resource) || (answersFromCurrent && !access.canSee(resource))) {
    refuse(access, current.resourceType, current.id);
  }
}

/** A create the caller may not make is refused (403), naming it. */
export function assertCreatable(
  access: AccessPolicy,
  items: Parameters<ResourceStore['insertNew']>[0],
  /** Check an unrestricted caller too (type rules that hold for everyone, like the access log's). */
  always = false,
): void {
  if (!access.restricted && !always) return;
  for (const it of items) {
    if (!access.canWrite({ ...it.resource, id: it.id }, 'c')) refuse(access, it.resourceType, it.id, 'c');
    if (access.restricted) {
      assertNotCollectiveManaged(it.resourceType, it.id, it.resource);
      assertNotPortalManaged(it.resourceType, it.id, it.resource, undefined);
      assertIdentifiersKept(it.resourceType, it.id, it.resource, undefined);
    }
  }
}

/** An update or delete the caller may not make: each side judged with its own letter. */
export function assertWritable(
  access: AccessPolicy,
  change: Parameters<ResourceStore['write']>[0],
  current: StoredVersion | undefined,
): void {
  if (!access.restricted) return;
  const content = change.resource && { ...change.resource, id: change.id };
  const exists = Boolean(current?.content);
  const letter = !content ? 'd' : exists ? 'u' : 'c';
  const seen = current?.content ? (JSON.parse(current.content) as Resource) : undefined;
  // Named only to one who sees the row; for anyone else it stays as a missing one.
  if (seen && access.canSee(seen))
    assertNotSharedOnly(access.organizations, change.resourceType, change.id, seen, content);
  if (!replaceable(access, current, content ? 'u' : 'd') || (content && !access.canWrite(content, letter))) {
    refuse(access, change.resourceType, change.id, letter);
  }
  const before = current?.content ? (JSON.parse(current.content) as Resource) : undefined;
  assertNotCollectiveManaged(change.resourceType, change.id, content, before);
  assertNotPortalManaged(change.resourceType, change.id, content, before);
  assertIdentifiersKept(change.resourceType, change.id, content, before);
}
