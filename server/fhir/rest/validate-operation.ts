import { FhirError } from '../errors.ts';
import { operationOutcome, type OperationOutcomeIssue } from '../outcome.ts';
import type { Resource } from '../storage/types.ts';
import { isKnownResourceType, type ProfileValidator } from '../validation/index.ts';
import { loadCurrent } from './read.ts';
import type { FhirResult, RestContext } from './types.ts';

const BASE_PROFILE = 'http://hl7.org/fhir/StructureDefinition/';

/**
 * [type]/$validate and [type]/[id]/$validate. The resource comes as the body or in a
 * Parameters `resource` part; at instance level without a body, the stored version is checked.
 *
 * With a `profile` (query parameter, or a Parameters `profile` part) the resource is checked against
 * the base specification and that profile, which the server must hold (400 otherwise). Without one,
 * against the base and each `meta.profile` the server holds; a claimed profile it does not hold gets
 * an information issue. The answer is otherwise always 200 with an OperationOutcome; its issues say
 * whether the resource is valid.
 */
export async function validateOperation(
  ctx: RestContext,
  resourceType: string,
  id: string | undefined,
  body: unknown,
  query?: URLSearchParams,
): Promise<FhirResult> {
  let candidate = body;
  let profile = query?.get('profile') ?? undefined;
  if (body !== undefined && !isObject(body)) {
    throw new FhirError(400, '$validate: the body must be a resource or Parameters', { code: 'structure' });
  }
  if (isParameters(body)) {
    if (body.parameter !== undefined && !Array.isArray(body.parameter)) {
      throw new FhirError(400, '$validate: Parameters.parameter must be a list', { code: 'structure' });
    }
    const part = body.parameter?.find((p) => isObject(p) && p.name === 'resource');
    if (!part?.resource)
      throw new FhirError(400, "$validate: Parameters without a 'resource' part", { code: 'required' });
    candidate = part.resource;
    profile ??= profileParameter(body.parameter ?? []);
  }
  const profiles = ctx.validator.profiles;
  if (profile !== undefined) checkProfileKnown(profiles, profile, resourceType);
  if (candidate === undefined && id !== undefined) {
    candidate = JSON.parse((await loadCurrent(ctx, resourceType, id)).content!) as Resource;
  }
  if (candidate === undefined) throw new FhirError(400, '$validate needs a resource', { code: 'required' });
  const type = (candidate as { resourceType?: unknown }).resourceType;
  const issues: OperationOutcomeIssue[] =
    type !== resourceType
      ? [
          {
            severity: 'error' as const,
            code: 'invalid' as const,
            diagnostics: `Resource type '${String(type)}' does not match '${resourceType}'`,
          },
        ]
      : [
          ...ctx.validator.validate(candidate, { expectedType: resourceType }),
          ...profileIssues(profiles, candidate, profile),
        ];
  if (
    id !== undefined &&
    (candidate as { id?: unknown }).id !== undefined &&
    (candidate as { id?: unknown }).id !== id
  ) {
    issues.push({
      severity: 'error',
      code: 'invalid',
      diagnostics: `The id does not match '${id}'`,
      expression: [`${resourceType}.id`],
    });
  }
  const outcome = operationOutcome(
    issues.some((i) => i.severity === 'error' || i.severity === 'fatal' || i.severity === 'warning')
      ? issues
      : [{ severity: 'information', code: 'informational', diagnostics: 'Validation successful' }, ...issues],
  );
  return { status: 200, headers: {}, resource: outcome as unknown as Resource };
}

/** The profile issues: against `profile` if given, else against each loaded `meta.profile`. */
function profileIssues(
  profiles: ProfileValidator,
  resource: unknown,
  profile: string | undefined,
): OperationOutcomeIssue[] {
  const urls = profile !== undefined ? [profile] : claimedProfiles(resource);
  const issues: OperationOutcomeIssue[] = [];
  for (const url of urls) {
    if (isBaseProfile(url)) continue; // the base validation above is exactly that check
    const found = profiles.validate(resource, url);
    if (found) issues.push(...found);
    else
      issues.push({
        severity: 'information',
        code: 'not-supported',
        diagnostics: `Profile ${url} (meta.profile) is not loaded on this server; not checked`,
        expression: [`${(resource as { resourceType: string }).resourceType}.meta.profile`],
      });
  }
  return issues;
}

function checkProfileKnown(profiles: ProfileValidator, profile: string, resourceType: string): void {
  if (isBaseProfile(profile)) {
    const type = profile.slice(BASE_PROFILE.length).split('|')[0]!;
    if (type !== resourceType)
      throw new FhirError(400, `$validate: profile ${profile} is not a profile of ${resourceType}`, {
        code: 'invalid',
      });
    return;
  }
  const sd = profiles.structureDefinition(profile);
  if (!sd) {
    throw new FhirError(400, `$validate: profile ${profile} is not known to this server`, {
      code: 'not-supported',
    });
  }
  if (sd.kind === 'resource' && sd.type !== resourceType) {
    throw new FhirError(400, `$validate: profile ${profile} constrains ${sd.type}, not ${resourceType}`, {
      code: 'invalid',
    });
  }
}

function isBaseProfile(url: string): boolean {
  return url.startsWith(BASE_PROFILE) && isKnownResourceType(url.slice(BASE_PROFILE.length).split('|')[0]!);
}

function claimedProfiles(resource: unknown): string[] {
  const claimed = (resource as { meta?: { profile?: unknown } }).meta?.profile;
  return Array.isArray(claimed)
    ? [...new Set(claimed.filter((p): p is string => typeof p === 'string'))]
    : [];
}

function profileParameter(parameters: unknown[]): string | undefined {
  for (const p of parameters) {
    if (!isObject(p) || p.name !== 'profile') continue;
    for (const key of ['valueUri', 'valueCanonical', 'valueString', 'valueUrl']) {
      if (typeof p[key] === 'string') return p[key];
    }
    throw new FhirError(400, "$validate: the 'profile' parameter needs a valueUri or valueCanonical", {
      code: 'invalid',
    });
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isParameters(body: unknown): body is { parameter?: Record<string, unknown>[] } {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { resourceType?: unknown }).resourceType === 'Parameters'
  );
}
