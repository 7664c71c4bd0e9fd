import type { PractitionerPrincipal, SystemPrincipal } from '../../auth/principal.ts';
import type { CareActor } from '../care-gate.ts';

/**
 * A practitioner acts as themself, as each PractitionerRole of their login, for its
 * organisation and under its role codes (a login for one organisation has only that
 * organisation's roles: server/auth/resolve-person.ts).
 */
export function practitionerActor(p: PractitionerPrincipal): CareActor {
  const organizations = [...new Set(p.roles.flatMap((r) => (r.organizationId ? [r.organizationId] : [])))];
  return {
    describe: `Practitioner/${p.practitionerId}`,
    actors: [
      `Practitioner/${p.practitionerId}`,
      ...p.roles.map((r) => `PractitionerRole/${r.practitionerRoleId}`),
      ...organizations.map((o) => `Organization/${o}`),
      ...new Set(p.roles.flatMap((r) => r.codes.map((c) => `code:${c}`))),
    ],
    organizations,
  };
}

/**
 * A system client (an EHR, a HIS) acts for its registered organisation: it sees that
 * organisation's patients as a caregiver there would. Without an organisation it sees no one's.
 */
export function systemClientActor(p: SystemPrincipal): CareActor {
  const org = p.organizationId;
  return {
    describe: `system client ${p.clientId}${org ? ` of Organization/${org}` : ''}`,
    actors: org ? [`Organization/${org}`] : [],
    organizations: org ? [org] : [],
  };
}

/** Whether every role of the login is administration (then it sees administration, not medicine). */
export function administrationOnly(
  p: PractitionerPrincipal,
  administrationRoles: ReadonlySet<string>,
): boolean {
  const codes = p.roles.flatMap((r) => r.codes);
  return codes.length > 0 && codes.every((c) => administrationRoles.has(c));
}
