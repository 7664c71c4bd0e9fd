import { withDirectoryRule } from './rules/directory-writes.ts';
import { withCatalogueRule } from './rules/catalogue-writes.ts';
import { withAgendaWriteRule } from './rules/agenda-writes.ts';
import { withPatientAgenda } from './rules/practice-agenda.ts';
import { practicesOfPatient } from '../domain/practice/patient-practices.ts';
import type { PractitionerPrincipal, Principal } from '../auth/principal.ts';
import type { SearchEngine } from '../fhir/search/engine.ts';
import type { AccessFacts } from '../fhir/storage/access-facts.ts';
import { createCareGate, type CareActor } from './care-gate.ts';
import { patientCompartmentAccess } from './patient-compartment.ts';
import { NO_ACCESS, OPEN_ACCESS, type AccessPolicy, type Resource } from './policy.ts';
import { withAuditLogRule } from './rules/audit-log.ts';
import { withSubscriptionRule } from './rules/subscription-owner.ts';
import { emergencyRole, networkMatcher, type BreakTheGlassConfig } from './rules/break-the-glass.ts';
import { administrationOnly, practitionerActor, systemClientActor } from './rules/care-actors.ts';
import { createCategoryMatcher } from './rules/data-categories.ts';
import { authorisedRelatedPerson } from './rules/related-person.ts';
import { withSharedWithRule } from './rules/shared-with.ts';
import { withPatientPracticeRule } from './rules/patient-practice.ts';
import { careProviderAccess, type CareDecision } from './rules/treatment-relationship.ts';
import { narrowByScopes } from './scopes/scope-policy.ts';
import { accountAccess, sealedBy, sealRecord } from './portal-account.ts';
import { withPortalAccountRule } from './rules/portal-accounts.ts';

export interface AccessForDeps {
  search: SearchEngine;
  facts: AccessFacts;
  /** A current resource by id, unfiltered (the RelatedPerson behind a login). */
  read: (resourceType: string, id: string) => Promise<Resource | undefined>;
  auditors?: readonly string[];
  dischargeGraceHours?: number;
  administrationRoles?: readonly string[];
  breakTheGlass?: BreakTheGlassConfig;
  /** Organisation ids whose rows others see only when approved (rules/approved-only.ts). */
  approvedOnly?: readonly string[];
}

/** What the request adds to the principal: where it comes from (break-the-glass networks). */
export interface RequestOrigin {
  /** The TCP peer's address (`trust proxy` is off: a proxy's own address when behind one). */
  clientAddress?: string;
}

/**
 * The policy for a principal: the one place where kinds of callers map to access rules, decided
 * for every request on the facts as they are then (care-gate.ts; server/access/README.md).
 */
export function createAccessFor(deps: AccessForDeps) {
  const { search } = deps;
  const auditors = new Set(deps.auditors ?? []);
  const administration = new Set(deps.administrationRoles ?? []);
  const gate = createCareGate({
    facts: deps.facts,
    dischargeGraceMs: (deps.dischargeGraceHours ?? 24) * 3_600_000,
  });
  const categoryOf = createCategoryMatcher(search);
  // A decision the gate kept compiles to the same policy: compiled once.
  const compiled = new WeakMap<CareDecision, AccessPolicy>();
  const care = async (who: CareActor, related = true, mayRelateSelf = true) => {
    const decision = await gate(related ? who : { ...who, actors: [] });
    let policy = compiled.get(decision);
    if (!policy) {
      compiled.set(
        decision,
        (policy = careProviderAccess(decision, search, categoryOf, mayRelateSelf, deps.approvedOnly)),
      );
    }
    return policy;
  };

  const btgNetworks = deps.breakTheGlass?.networks?.length
    ? networkMatcher(deps.breakTheGlass.networks)
    : undefined;

  async function emergencyPlace(
    principal: PractitionerPrincipal,
    origin: RequestOrigin,
  ): Promise<string | undefined> {
    const orgs = principal.roles.flatMap((r) => (r.organizationId ? [r.organizationId] : []));
    const config = deps.breakTheGlass!;
    const fromNetwork = !btgNetworks || btgNetworks(origin.clientAddress);
    return emergencyRole(principal, config, await deps.facts.organizationTypes(orgs), fromNetwork)
      ?.organizationId;
  }

  async function own(principal: Principal, origin: RequestOrigin): Promise<AccessPolicy> {
    switch (principal.kind) {
      case 'anonymous':
        return NO_ACCESS;
      case 'practitioner': {
        // A login that is administration only relates to no patient: it keeps the directory
        // and the patient-free records (groups), nothing of anyone's care.
        const clinical = !administrationOnly(principal, administration);
        // A person's login never makes itself related by a write (that is what break-the-glass is for).
        const policy = await care(practitionerActor(principal), clinical, false);
        return clinical && deps.breakTheGlass?.organizations.length
          ? { ...policy, emergencyPlace: () => emergencyPlace(principal, origin) }
          : policy;
      }
      case 'system':
        return principal.trusted || principal.via === 'operator'
          ? {
              ...OPEN_ACCESS,
              basisOf: () => ['trusted-client'],
              // Its organisation's records are its own when a conditional write must choose.
              ...(principal.organizationId ? { organizations: [principal.organizationId] } : {}),
            }
          : care(systemClientActor(principal));
      case 'patient':
        // Their practice's agenda (Schedules, free Slots) besides their own record.
        return withPatientAgenda(
          patientCompartmentAccess(principal.patientId, search, {
            writeAll: principal.writeAll === true,
            ...(principal.records ? { records: principal.records } : {}),
          }),
          await practicesOfPatient(principal.patientId, deps.read),
          search,
        );
      case 'account':
        return accountAccess(principal.personId);
      case 'related-person': {
        const describe = `RelatedPerson/${principal.relatedPersonId}`;
        if (
          !authorisedRelatedPerson(principal, await deps.read('RelatedPerson', principal.relatedPersonId))
        ) {
          return { ...NO_ACCESS, describe: `${describe} (not authorised by the patient now)` };
        }
        return {
          ...patientCompartmentAccess(principal.patientId, search, { writeAll: false }),
          describe,
          canWrite: () => false,
        };
      }
    }
  }

  /** The policy for a principal as it is, before a portal seal. */
  async function decide(principal: Principal, origin: RequestOrigin): Promise<AccessPolicy> {
    const base = await own(principal, origin);
    const scoped =
      principal.kind !== 'anonymous' && principal.smart
        ? narrowByScopes(base, principal, principal.smart, search)
        : base;
    if (principal.kind === 'anonymous') return scoped;
    // The rules over the caller's own policy, innermost first: each narrows or adds one concern.
    const rules: ((policy: AccessPolicy) => AccessPolicy)[] = [
      (p) => withDirectoryRule(p, principal),
      (p) => withAuditLogRule(p, principal, auditors),
      (p) => withCatalogueRule(p, principal, search),
      (p) => withAgendaWriteRule(p, principal, search),
      (p) => withSubscriptionRule(p, principal, search),
      (p) => withSharedWithRule(p),
      (p) => withPortalAccountRule(p, principal, search),
      (p) => withPatientPracticeRule(p, principal),
    ];
    return rules.reduce((policy, rule) => rule(policy), scoped);
  }

  /**
   * `origin`: the request's network address; without it, no configured network matches. A portal
   * login that may see nothing medical yet (portal-account.ts) is sealed over everything else.
   */
  return async (principal: Principal, origin: RequestOrigin = {}): Promise<AccessPolicy> => {
    const policy = await decide(principal, origin);
    const seal = sealedBy(principal);
    if (!seal) return policy;
    return sealRecord(policy, seal, search, principal.kind === 'patient' ? policy : undefined);
  };
}
