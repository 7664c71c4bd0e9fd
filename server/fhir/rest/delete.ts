import { informational } from '../outcome.ts';
import { matchOne } from './conditional-match.ts';
import type { FhirResult, Preconditions, RestContext } from './types.ts';
import { checkIfMatch, etag } from './versioning.ts';

/**
 * DELETE [type]/[id]. Deleting something that does not exist, or no longer exists, succeeds
 * without writing a version (the spec allows 200 or 204 for both).
 */
export async function remove(
  ctx: RestContext,
  resourceType: string,
  id: string,
  pre: Preconditions = {},
): Promise<FhirResult> {
  return ctx.store.transaction((store) => deleteById({ ...ctx, store }, resourceType, id, pre));
}

/** DELETE [type]?criteria: at most one match (412 for more). */
export async function conditionalRemove(
  ctx: RestContext,
  resourceType: string,
  query: string,
  pre: Preconditions = {},
): Promise<FhirResult> {
  return ctx.store.transaction(async (store) => {
    const tx = { ...ctx, store };
    const match = await matchOne(tx, resourceType, query, 'Conditional delete');
    if (!match) return nothingDeleted(`No ${resourceType} matches '${query}'; nothing was deleted`);
    return deleteById(tx, resourceType, match.id, pre);
  });
}

export async function deleteById(
  ctx: RestContext,
  resourceType: string,
  id: string,
  pre: Preconditions,
): Promise<FhirResult> {
  // A resource the caller may not see is answered as one that never existed, and kept.
  const { current: stored, hidden } = await ctx.store.readForWrite(resourceType, id);
  const current = hidden ? undefined : stored;
  ctx.store.assertReplaceable(current, pre.ifMatch !== undefined);
  checkIfMatch(pre.ifMatch, current);
  if (!current || current.deleted)
    return nothingDeleted(`${resourceType}/${id} does not exist; nothing was deleted`);
  const written = await ctx.store.write({ resourceType, id, method: 'DELETE' }, current);
  return {
    status: 204,
    headers: { ETag: etag(written.stored.versionId) },
    outcomeText: JSON.stringify(informational(`Deleted ${resourceType}/${id}`)),
  };
}

function nothingDeleted(message: string): FhirResult {
  return { status: 204, headers: {}, outcomeText: JSON.stringify(informational(message)) };
}
