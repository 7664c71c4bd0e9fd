import type { Principal } from '../auth/principal.ts';
import type { SearchEngine } from '../fhir/search/engine.ts';
import { patientCompartmentAccess } from './patient-compartment.ts';
import { withAuditLogRule } from './rules/audit-log.ts';
import { narrowByScopes } from './scopes/scope-policy.ts';
import { NO_ACCESS, OPEN_ACCESS, type AccessPolicy } from './policy.ts';

/** The policy for a principal: the one place where kinds of callers map to access rules. */
export function createAccessFor(search: SearchEngine, options: { auditors?: readonly string[] } = {}) {
  const auditors = new Set(options.auditors ?? []);
  const own = ownAccess(search);
  return (principal: Principal): AccessPolicy => {
    const base = own(principal);
    const scoped =
      principal.kind !== 'anonymous' && principal.smart
        ? narrowByScopes(base, principal, principal.smart, search)
        : base;
    return principal.kind === 'anonymous' ? scoped : withAuditLogRule(scoped, principal, auditors);
  };
}

/** What the caller may do without any token narrowing it. */
function ownAccess(search: SearchEngine) {
  return (principal: Principal): AccessPolicy => {
    switch (principal.kind) {
      case 'anonymous':
        return NO_ACCESS;
      case 'practitioner':
      case 'system':
        // Treatment relationship and consent come with the consent gate; until then a
        // caregiver or a hospital system sees everything (their SMART scopes still narrow it).
        return OPEN_ACCESS;
      case 'patient':
        return patientCompartmentAccess(principal.patientId, search, {
          writeAll: principal.writeAll === true,
        });
      case 'related-person':
        // Until the consent gate says what a related person may do: read the patient's own view.
        return {
          ...patientCompartmentAccess(principal.patientId, search, { writeAll: false }),
          describe: `RelatedPerson/${principal.relatedPersonId}`,
          canWrite: () => false,
        };
    }
  };
}
