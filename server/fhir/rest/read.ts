import { FhirError } from '../errors.ts';
import type { Resource, StoredVersion } from '../storage/types.ts';
import type { FhirResult, Preconditions, RestContext } from './types.ts';
import { notModified, versionHeaders } from './versioning.ts';

/**
 * Whether the caller may know of this version. A deletion has no content to judge, so a
 * restricted caller is told it does not exist.
 */
export function visible(ctx: RestContext, version: { content?: string | null; deleted?: boolean }): boolean {
  if (!ctx.access.restricted) return true;
  if (!version.content) return false;
  return ctx.access.canSee(JSON.parse(version.content) as Resource);
}

/** Whether any version of the resource is one the caller may see (for deletions and history). */
export async function anyVisibleVersion(
  ctx: RestContext,
  resourceType: string,
  id: string,
): Promise<boolean> {
  const versions = await ctx.store.history({ resourceType, id, count: ctx.limits.maxHistoryCount });
  return versions.some((v) => visible(ctx, v));
}

/**
 * What a restricted caller may learn of a deletion: nothing unless an earlier version was
 * theirs to see, and its version headers only when the version it deleted was (else the ETag
 * would count versions they never saw).
 */
async function deletionSeenBy(
  ctx: RestContext,
  resourceType: string,
  id: string,
): Promise<{ known: boolean; headers: boolean }> {
  const versions = await ctx.store.history({ resourceType, id, count: ctx.limits.maxHistoryCount });
  const lastContent = versions.find((v) => v.content);
  return {
    known: versions.some((v) => visible(ctx, v)),
    headers: lastContent !== undefined && visible(ctx, lastContent),
  };
}

/** The current version, or 404 (never existed) / 410 (deleted). */
export async function loadCurrent(
  ctx: RestContext,
  resourceType: string,
  id: string,
  forUpdate = false,
): Promise<StoredVersion> {
  const stored = forUpdate
    ? await ctx.store.readForUpdate(resourceType, id)
    : await ctx.store.read(resourceType, id);
  const deletion =
    stored?.deleted && ctx.access.restricted
      ? await deletionSeenBy(ctx, resourceType, id)
      : { known: Boolean(stored && visible(ctx, stored)), headers: true };
  if (!stored || !deletion.known) {
    throw new FhirError(404, `${resourceType}/${id} is not known`, { code: 'not-found' });
  }
  if (stored.deleted) {
    throw new FhirError(410, `${resourceType}/${id} was deleted`, {
      code: 'deleted',
      ...(deletion.headers ? { headers: versionHeaders(stored, ctx.baseUrl) } : {}),
    });
  }
  return stored;
}

export async function read(
  ctx: RestContext,
  resourceType: string,
  id: string,
  pre: Preconditions = {},
): Promise<FhirResult> {
  const stored = await loadCurrent(ctx, resourceType, id);
  const headers = versionHeaders(stored, ctx.baseUrl);
  if (notModified(stored, pre.ifNoneMatch, pre.ifModifiedSince)) return { status: 304, headers };
  return { status: 200, headers, json: stored.content };
}
