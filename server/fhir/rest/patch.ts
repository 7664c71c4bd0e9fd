import { FhirError } from '../errors.ts';
import { parseFhirJson } from '../format/json.ts';
import { applyFhirPathPatch, applyJsonPatch } from '../patch/index.ts';
import type { Resource, StoredVersion } from '../storage/types.ts';
import { matchOne } from './conditional-match.ts';
import { requireResource } from './incoming.ts';
import { loadCurrent } from './read.ts';
import type { FhirResult, Preconditions, RestContext } from './types.ts';
import { checkIfMatch } from './versioning.ts';
import { writeVersion } from './update.ts';

export type PatchDocument =
  { kind: 'json-patch'; operations: unknown } | { kind: 'fhirpath'; parameters: unknown };

/** PATCH [type]/[id] with JSON Patch or FHIRPath Patch; the result must validate like an update. */
export async function patch(
  ctx: RestContext,
  resourceType: string,
  id: string,
  doc: PatchDocument,
  pre: Preconditions = {},
): Promise<FhirResult> {
  return ctx.store.transaction(async (store) => {
    const tx = { ...ctx, store };
    const current = await loadCurrent(tx, resourceType, id, true);
    return patchVersion(tx, current, doc, pre);
  });
}

/** PATCH [type]?criteria: exactly one match is patched; none is 404, several 412. */
export async function conditionalPatch(
  ctx: RestContext,
  resourceType: string,
  query: string,
  doc: PatchDocument,
  pre: Preconditions = {},
): Promise<FhirResult> {
  return ctx.store.transaction(async (store) => {
    const tx = { ...ctx, store };
    const match = await matchOne(tx, resourceType, query, 'Conditional patch');
    if (!match) throw new FhirError(404, `No ${resourceType} matches '${query}'`, { code: 'not-found' });
    const current = await loadCurrent(tx, resourceType, match.id, true);
    return patchVersion(tx, current, doc, pre);
  });
}

async function patchVersion(
  ctx: RestContext,
  current: StoredVersion,
  doc: PatchDocument,
  pre: Preconditions,
): Promise<FhirResult> {
  checkIfMatch(pre.ifMatch, current);
  const before = parseFhirJson(current.content!) as Resource;
  const after =
    doc.kind === 'json-patch'
      ? applyJsonPatch(before, doc.operations)
      : applyFhirPathPatch(before, doc.parameters);
  if (after.resourceType !== current.resourceType || after.id !== current.id) {
    throw new FhirError(422, 'A patch may not change the resourceType or id', { code: 'processing' });
  }
  const resource = requireResource(ctx, after, current.resourceType);
  return writeVersion(ctx, current.resourceType, current.id, resource, pre, 'PATCH');
}
