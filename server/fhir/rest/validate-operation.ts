import { FhirError } from '../errors.ts';
import { operationOutcome } from '../outcome.ts';
import type { Resource } from '../storage/types.ts';
import { loadCurrent } from './read.ts';
import type { FhirResult, RestContext } from './types.ts';

/**
 * [type]/$validate and [type]/[id]/$validate. The resource comes as the body or in a
 * Parameters `resource` part; at instance level without a body, the stored version is checked.
 * The answer is always 200 with an OperationOutcome; its issues say whether it is valid.
 */
export async function validateOperation(
  ctx: RestContext,
  resourceType: string,
  id: string | undefined,
  body: unknown,
): Promise<FhirResult> {
  let candidate = body;
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
  }
  if (candidate === undefined && id !== undefined) {
    candidate = JSON.parse((await loadCurrent(ctx, resourceType, id)).content!) as Resource;
  }
  if (candidate === undefined) throw new FhirError(400, '$validate needs a resource', { code: 'required' });
  const type = (candidate as { resourceType?: unknown }).resourceType;
  const issues =
    type !== resourceType
      ? [
          {
            severity: 'error' as const,
            code: 'invalid' as const,
            diagnostics: `Resource type '${String(type)}' does not match '${resourceType}'`,
          },
        ]
      : ctx.validator.validate(candidate, { expectedType: resourceType });
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
    issues.length
      ? issues
      : [{ severity: 'information', code: 'informational', diagnostics: 'Validation successful' }],
  );
  return { status: 200, headers: {}, resource: outcome as unknown as Resource };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isParameters(body: unknown): body is { parameter?: { name?: string; resource?: unknown }[] } {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { resourceType?: unknown }).resourceType === 'Parameters'
  );
}
