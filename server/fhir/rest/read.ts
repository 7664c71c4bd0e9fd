import { FhirError } from '../errors.ts';
import { EMERGENCY_QUESTION } from './emergency-question.ts';
import type { StoredVersion } from '../storage/types.ts';
import type { FhirResult, Preconditions, RestContext } from './types.ts';
import { notModified, versionHeaders } from './versioning.ts';

/** The current version, or 404 (never existed, or not the caller's to see) / 410 (deleted). */
export async function loadCurrent(
  ctx: RestContext,
  resourceType: string,
  id: string,
  forUpdate = false,
): Promise<StoredVersion> {
  const found = await ctx.store.lookup(resourceType, id, forUpdate);
  if (found.kind === 'none') {
    const missing = {
      severity: 'error' as const,
      code: 'not-found' as const,
      diagnostics: `${resourceType}/${id} is not known`,
    };
    if (!(await ctx.store.emergencyReachable(resourceType, id))) throw new FhirError(404, [missing]);
    throw new FhirError(404, [
      missing,
      {
        severity: 'information',
        code: 'suppressed',
        diagnostics: [
          ...(ctx.language !== 'nl'
            ? [
                `${resourceType}/${id} is not shown to you: there is no treatment relationship or consent. ` +
                  `${EMERGENCY_QUESTION.en} In an emergency: POST ${resourceType}/${id}/$break-the-glass with your reason (audited, the patient is told).`,
              ]
            : []),
          ...(ctx.language !== 'en'
            ? [
                `${resourceType}/${id} wordt u niet getoond: geen behandelrelatie of toestemming. ` +
                  `${EMERGENCY_QUESTION.nl} In een noodsituatie: POST ${resourceType}/${id}/$break-the-glass met uw reden.`,
              ]
            : []),
        ].join(' / '),
      },
    ]);
  }
  if (found.kind === 'gone') {
    throw new FhirError(410, `${resourceType}/${id} was deleted`, {
      code: 'deleted',
      ...(found.headers ? { headers: versionHeaders(found.version, ctx.baseUrl) } : {}),
    });
  }
  return found.version;
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
