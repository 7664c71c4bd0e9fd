import { FhirError } from '../errors.ts';
import type { Resource } from '../storage/types.ts';
import type { RestContext } from './types.ts';

/** The body of a create/update: a resource of the URL's type that passes validation. */
export function requireResource(ctx: RestContext, body: unknown, resourceType: string): Resource {
  if (body === undefined || body === null) {
    throw new FhirError(400, `A ${resourceType} resource is required in the request body`, {
      code: 'required',
    });
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new FhirError(400, 'The request body must be a FHIR resource (a JSON object)', {
      code: 'structure',
    });
  }
  const declared = (body as { resourceType?: unknown }).resourceType;
  if (declared !== resourceType) {
    throw new FhirError(
      400,
      `Resource type in the body ('${String(declared)}') does not match the type in the URL ('${resourceType}')`,
      { code: 'invalid' },
    );
  }
  const issues = ctx.validator.validate(body, { expectedType: resourceType });
  if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) throw new FhirError(400, issues);
  return body as Resource;
}
