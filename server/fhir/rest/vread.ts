import { FhirError } from '../errors.ts';
import type { FhirResult, Preconditions, RestContext } from './types.ts';
import { notModified, versionHeaders } from './versioning.ts';

export async function vread(
  ctx: RestContext,
  resourceType: string,
  id: string,
  versionId: string,
  pre: Preconditions = {},
): Promise<FhirResult> {
  const vid = /^[0-9]{1,9}$/.test(versionId) ? Number(versionId) : NaN;
  const stored = Number.isNaN(vid) ? undefined : await ctx.store.readVersion(resourceType, id, vid);
  if (!stored) {
    throw new FhirError(404, `${resourceType}/${id}/_history/${versionId} is not known`, {
      code: 'not-found',
    });
  }
  const headers = versionHeaders(stored, ctx.baseUrl);
  if (stored.deleted) {
    throw new FhirError(410, `${resourceType}/${id}/_history/${versionId} is a deletion`, {
      code: 'deleted',
      headers,
    });
  }
  if (notModified(stored, pre.ifNoneMatch, pre.ifModifiedSince)) return { status: 304, headers };
  return { status: 200, headers, json: stored.content };
}
