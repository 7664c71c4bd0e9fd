import { randomUUID } from 'node:crypto';
import { FhirError } from '../errors.ts';
import { parseFhirJson } from '../format/json.ts';
import { ConcurrentWriteError } from '../storage/errors.ts';
import { withoutVersionMeta } from '../storage/serialize.ts';
import type { Resource, StoredVersion } from '../storage/types.ts';
import { matchOne } from './conditional-match.ts';
import { requireResource } from './incoming.ts';
import { keepRetiredIdentifiers } from './retired-identifiers.ts';
import type { FhirResult, Preconditions, RestContext } from './types.ts';
import { checkIfMatch, locationHeaders, versionHeaders } from './versioning.ts';

/** PUT [type]/[id]: update, or create with the client's id when it does not exist yet. */
export async function update(
  ctx: RestContext,
  resourceType: string,
  id: string,
  body: unknown,
  pre: Preconditions = {},
  /** The server chose the id (see FhirRequest.serverAssignedId). */
  serverAssignedId = false,
): Promise<FhirResult> {
  const resource = requireResource(ctx, body, resourceType);
  if (resource.id === undefined) {
    throw new FhirError(400, `The ${resourceType} in the body has no id; an update needs id '${id}'`, {
      code: 'required',
    });
  }
  if (resource.id !== id) {
    throw new FhirError(
      400,
      `The id in the body ('${resource.id}') does not match the id in the URL ('${id}')`,
      {
        code: 'invalid',
      },
    );
  }
  return ctx.store.transaction((store) =>
    writeVersion(
      { ...ctx, store },
      resourceType,
      id,
      resource,
      pre,
      'PUT',
      serverAssignedId || store.mayCreateWithId,
    ),
  );
}

/** PUT [type]?criteria */
export async function conditionalUpdate(
  ctx: RestContext,
  resourceType: string,
  query: string,
  body: unknown,
  pre: Preconditions = {},
): Promise<FhirResult> {
  const resource = requireResource(ctx, body, resourceType);
  return ctx.store.transaction(async (store) => {
    const tx = { ...ctx, store };
    const match = await matchOne(tx, resourceType, query, 'Conditional update', 'create');
    if (match && resource.id !== undefined && resource.id !== match.id) {
      throw new FhirError(
        400,
        `Conditional update: the criteria match ${resourceType}/${match.id} but the body has id '${resource.id}'`,
        { code: 'invalid' },
      );
    }
    // Only an id the caller may see is named; any other goes on to the write guard (or, for a
    // caller who may not create with their own id, is answered as if it did not exist).
    if (
      !match &&
      resource.id !== undefined &&
      store.mayCreateWithId &&
      (await store.isTaken(resourceType, resource.id))
    ) {
      // Updating it would overwrite a resource the criteria did not select (R5 makes this 409).
      throw new FhirError(
        409,
        `No ${resourceType} matches '${query}', but ${resourceType}/${resource.id} exists`,
        {
          code: 'conflict',
        },
      );
    }
    const id = match?.id ?? resource.id ?? randomUUID();
    // A server-assigned id is a create anyone may make; their own id only some (see mayCreateWithId).
    const mayCreate = match !== undefined || resource.id === undefined || store.mayCreateWithId;
    return writeVersion(tx, resourceType, id, resource, pre, 'PUT', mayCreate);
  });
}

/**
 * Writes the next version under a row lock. An update that changes nothing but server meta
 * keeps the current version, so repeated identical PUTs (loaders, retries) do not grow history.
 */
export async function writeVersion(
  ctx: RestContext,
  resourceType: string,
  id: string,
  resource: Resource,
  pre: Preconditions,
  method: 'PUT' | 'PATCH',
  /** Whether a version may be written where none is (update as create). */
  mayCreate = true,
): Promise<FhirResult> {
  for (let attempt = 0; ; attempt++) {
    // A resource the caller may not see is answered as one that never existed, and kept.
    const { current: stored, hidden } = await ctx.store.readForWrite(resourceType, id);
    const current = hidden ? undefined : stored;
    ctx.store.assertReplaceable(current, pre.ifMatch !== undefined);
    resource = keepRetiredIdentifiers(resource, current);
    checkIfMatch(pre.ifMatch, current);
    if ((!current || current.deleted) && !mayCreate) {
      throw new FhirError(
        405,
        `${resourceType}/${id} does not exist, and ${ctx.store.access.describe} may not create a resource with its own id: use POST ${resourceType} (the server assigns the id)`,
        { code: 'not-supported' },
      );
    }
    // The unchanged answer carries the stored version: only for what the caller may see.
    if (current && !current.deleted && ctx.store.visible(current) && unchanged(current, resource)) {
      return { status: 200, headers: versionHeaders(current, ctx.baseUrl), json: current.content };
    }
    try {
      const written = await ctx.store.write({ resourceType, id, method, resource }, current);
      const created = !current || current.deleted;
      const headers = locationHeaders(written.stored, ctx.baseUrl);
      if (!created) {
        headers['Content-Location'] = headers.Location!;
        delete headers.Location;
      }
      return { status: created ? 201 : 200, headers, resource: written.resource };
    } catch (err) {
      // Another writer created the same id between our read and insert: read again and update.
      if (err instanceof ConcurrentWriteError && attempt < 2) continue;
      throw err;
    }
  }
}

function unchanged(current: StoredVersion, next: Resource): boolean {
  if (!current.content) return false;
  return withoutVersionMeta(parseFhirJson(current.content) as Resource) === withoutVersionMeta(next);
}
