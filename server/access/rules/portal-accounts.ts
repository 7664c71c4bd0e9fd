import type { Principal } from '../../auth/principal.ts';
import { staffPractices } from '../../domain/practice/staff.ts';
import { isPortalAccount } from '../../domain/practice/portal-person.ts';
import { PORTAL_ACCOUNT_SYSTEM } from '../../domain/practice/vocabulary.ts';
import { and, or, typeIn } from '../../fhir/search/conditions.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { Condition } from '../../fhir/search/types.ts';
import type { AccessPolicy } from '../policy.ts';

/**
 * The portal accounts of a GP practice (seed 004, "Huisarts koppelt uw account") are its staff's
 * to see — its GPs, physician assistants and assistants (`staffPractices`) — linked or not
 * (an unlinked one belongs to no patient, so no treatment relationship shows it): a Person with
 * the portal-account tag whose `managingOrganization` is one of their practices, one more
 * alternative beside what the caller's own rules show, in SQL and in the twin. Another practice's
 * staff see none. A portal account is written only by the portal's operations (the server's own
 * store): no gated caller creates, changes or deletes one, so nobody links an account to a
 * patient, or moves it to a practice, by a plain write.
 */
export function withPortalAccountRule(
  policy: AccessPolicy,
  principal: Principal,
  search: SearchEngine,
): AccessPolicy {
  const practices = staffPractices(principal);
  const reads = practices.length ? staffReads(policy, practices, search) : policy;
  if (!policy.restricted) return reads;
  return {
    ...reads,
    canWrite: (r, letter) => !isPortalAccount(r) && policy.canWrite(r, letter),
  };
}

function staffReads(policy: AccessPolicy, practices: string[], search: SearchEngine): AccessPolicy {
  if (!policy.restricted) return policy;
  const query =
    `_tag=${encodeURIComponent(`${PORTAL_ACCOUNT_SYSTEM}|`)}` +
    `&organization=${practices.map((p) => encodeURIComponent(`Organization/${p}`)).join(',')}`;
  // The tag with any code: `system|` in a token search matches every code of that system.
  const accounts: Condition = search.criteria('Person', query, '').condition;
  return {
    ...policy,
    searchCondition: (type) =>
      type === 'Person' ? or([policy.searchCondition(type), accounts]) : policy.searchCondition(type),
    anyTypeCondition: or([policy.anyTypeCondition, and([typeIn(['Person']), accounts])]),
    canSee: (r) => policy.canSee(r) || (r.resourceType === 'Person' && search.matches(accounts, r)),
  };
}
