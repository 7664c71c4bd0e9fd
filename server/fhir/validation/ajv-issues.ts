import type { ErrorObject } from 'ajv';
import type { OperationOutcomeIssue } from '../outcome.ts';
import { childPath, pointerToFhirPath } from './fhirpath.ts';
import { describeValue, jsonType, validationError } from './issues.ts';

/**
 * Maps ajv's errors for one resource. A value of the wrong JSON type is reported once: the schema
 * also puts `pattern` on booleans, so `"active": "yes"` would otherwise fail twice.
 */
export function ajvErrorsToIssues(
  errors: readonly ErrorObject[],
  resourcePath: string,
  typeNames: ReadonlyMap<object, string>,
): OperationOutcomeIssue[] {
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return errors
    .filter((e) => e.keyword === 'type' || !wrongType.has(e.instancePath))
    .map((e) => ajvErrorToIssue(e, resourcePath, typeNames));
}

/**
 * Turns one ajv error (compiled with `verbose: true`, so `data` and `parentSchema` are set) into an
 * OperationOutcome issue located by FHIRPath relative to `resourcePath`, the validated resource.
 */
function ajvErrorToIssue(
  error: ErrorObject,
  resourcePath: string,
  typeNames: ReadonlyMap<object, string>,
): OperationOutcomeIssue {
  const location = pointerToFhirPath(resourcePath, error.instancePath);
  const params = error.params as Record<string, unknown>;
  // Not taken from schemaPath: that is relative to whichever definition ajv compiled separately.
  const fhirType = error.parentSchema ? typeNames.get(error.parentSchema) : undefined;

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return validationError('structure', `Unknown element '${key}'`, childPath(location, key));
    }
    case 'required': {
      const key = String(params.missingProperty);
      return validationError('required', `Missing required element '${key}'`, childPath(location, key));
    }
    case 'type':
      return validationError(
        'structure',
        `Expected ${expectedShape(String(params.type), fhirType)} but found ${jsonType(error.data)}`,
        location,
      );
    case 'pattern':
    case 'minimum':
      return validationError(
        'value',
        `${describeValue(error.data)} is not a valid ${fhirType ? `FHIR ${fhirType}` : 'value'}${whitespaceHint(error.data)}`,
        location,
      );
    case 'enum':
      return validationError(
        'code-invalid',
        `${describeValue(error.data)} is not one of: ${allowed(params.allowedValues)}`,
        location,
      );
    case 'const':
      return validationError(
        'value',
        `${describeValue(error.data)} must be ${describeValue(params.allowedValue)}`,
        location,
      );
    default:
      return validationError('invalid', error.message ?? `Failed schema rule '${error.keyword}'`, location);
  }
}

function expectedShape(jsonSchemaType: string, fhirType: string | undefined): string {
  const shape =
    jsonSchemaType === 'array' || jsonSchemaType === 'object'
      ? `an ${jsonSchemaType}`
      : `a ${jsonSchemaType}`;
  if (!fhirType) return shape;
  // Backbone elements are named `Patient_Contact` etc. in the schema, which means nothing to a client.
  return `${shape} (FHIR ${fhirType.includes('_') ? 'BackboneElement' : fhirType})`;
}

/**
 * FHIR strings allow no whitespace but space, CR, LF and tab; a stray NBSP looks identical to a space
 * in the quoted value, so name the offending character.
 */
function whitespaceHint(value: unknown): string {
  if (typeof value !== 'string') return '';
  const bad = /[^ \r\n\t\S]/u.exec(value)?.[0];
  if (bad === undefined) return '';
  const codePoint = bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `: it contains the whitespace character U+${codePoint}`;
}

function allowed(values: unknown): string {
  const list = Array.isArray(values) ? values.map(String) : [];
  return list.length > 12 ? `${list.slice(0, 12).join(', ')}, ...` : list.join(', ');
}
