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
 * Profiles are checked with the server's own validator (base R4 schema plus rules, and the
 * nl-core/zib profiles in profiles/nl-core), run in this process, so the verdict does not
 * depend on the server under test.
 */
export function createProfileChecker(): ProfileChecker {
  let validator: ReturnType<typeof createResourceValidator> | undefined;
  return {
    check(resource, profileUrl) {
      validator ??= createResourceValidator();
      if (!profileUrl.startsWith(BASE)) {
        // nl-core/zib profiles the server holds (profiles/nl-core), checked on top of the base rules.
        const extra = validator.profiles.validate(resource, profileUrl);
        return extra && [...validator.validate(resource), ...extra];
      }
      const type = profileUrl.slice(BASE.length);
      if (!isKnownResourceType(type)) return undefined;
      return validator.validate(resource, { expectedType: type });
    },
  };
}
