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
type Claiming = {
  resourceType?: string;
  id?: string;
  meta?: { profile?: string[] };
  entry?: { resource?: Claiming }[];
};

/** The resource and, for a Bundle, its entries' resources: each is checked against what it claims. */
function claimants(resource: Claiming): Claiming[] {
  return [resource, ...(resource.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []))];
}

export function createProfileChecker(): ProfileChecker {
  let validator: ReturnType<typeof createResourceValidator> | undefined;
  return {
    check(resource, profileUrl) {
      validator ??= createResourceValidator();
      const v = validator;
      let issues: OperationOutcomeIssueLike[] | undefined;
      if (profileUrl.startsWith(BASE)) {
        const type = profileUrl.slice(BASE.length);
        if (!isKnownResourceType(type)) return undefined;
        issues = v.validate(resource, { expectedType: type });
      } else {
        const extra = v.profiles.validate(resource, profileUrl);
        if (!extra) return undefined;
        issues = [...v.validate(resource), ...extra];
      }
      // Every loaded profile the resource (or a Bundle entry) claims in meta.profile is checked
      // too, as a validator does; profiles the server does not hold are left out.
      for (const r of claimants(resource as Claiming)) {
        for (const claimed of r.meta?.profile ?? []) {
          if (claimed === profileUrl || claimed.startsWith(BASE)) continue;
          for (const issue of v.profiles.validate(r, claimed) ?? []) {
            issues.push({
              ...issue,
              diagnostics: `${r.resourceType}/${r.id ?? ''} (${claimed}): ${issue.diagnostics ?? ''}`,
            });
          }
        }
      }
      return issues;
    },
  };
}
