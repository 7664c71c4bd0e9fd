import { randomUUID } from 'node:crypto';
import { requireResource } from './incoming.ts';
import { matchOne } from './conditional-match.ts';
import type { FhirResult, Preconditions, RestContext } from './types.ts';
import { locationHeaders, versionHeaders } from './versioning.ts';
import type { Resource } from '../storage/types.ts';

/**
 * POST [type]. The server assigns the id (a client id in the body is ignored, as the spec
 * says). With If-None-Exist, an existing single match is returned instead (200).
 */
export async function create(
  ctx: RestContext,
  resourceType: string,
  body: unknown,
  pre: Preconditions = {},
  assignedId?: string,
): Promise<FhirResult> {
  const resource = requireResource(ctx, body, resourceType);
  return ctx.store.transaction(async (store) => {
    const tx = { ...ctx, store };
    if (pre.ifNoneExist !== undefined) {
      const existing = await matchOne(tx, resourceType, pre.ifNoneExist, 'Conditional create', 'create');
      if (existing) {
        return { status: 200, headers: versionHeaders(existing, ctx.baseUrl), json: existing.content };
      }
    }
    return insertNew(tx, resourceType, resource, assignedId ?? randomUUID());
  });
}

export async function insertNew(
  ctx: RestContext,
  resourceType: string,
  resource: Resource,
  id: string,
): Promise<FhirResult> {
  const [written] = await ctx.store.insertNew([{ resourceType, id, resource }]);
  return { status: 201, headers: locationHeaders(written!.stored, ctx.baseUrl), resource: written!.resource };
}
