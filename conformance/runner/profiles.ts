import { createResourceValidator, isKnownResourceType } from '../../server/fhir/validation/index.ts';

export interface OperationOutcomeIssueLike {
  severity: string;
  diagnostics?: string;
  expression?: string[];
}

/** Validates a resource against a profile by canonical URL; undefined when the profile is not loaded. */
export interface ProfileChecker {
  check(resource: unknown, profileUrl: string): OperationOutcomeIssueLike[] | undefined;
}

const BASE = 'http://hl7.org/fhir/StructureDefinition/';

/**
 * Base R4 profiles are checked with the server's own validator (schema plus rules), run in
 * this process, so the verdict does not depend on the server under test.
 */
export function createProfileChecker(): ProfileChecker {
  let validator: ReturnType<typeof createResourceValidator> | undefined;
  return {
    check(resource, profileUrl) {
      if (!profileUrl.startsWith(BASE)) return undefined;
      const type = profileUrl.slice(BASE.length);
      if (!isKnownResourceType(type)) return undefined;
      validator ??= createResourceValidator();
      return validator.validate(resource, { expectedType: type });
    },
  };
}
