import type { AccessFacts } from '../fhir/storage/access-facts.ts';
import { DISCHARGE_BASES } from './facts/treatment-relationships.ts';
import type { ConsentRule } from './rules/consent.ts';
import type { CareDecision } from './rules/treatment-relationship.ts';

/** Who a caregiver or care system acts as, before the groups they are in are looked up. */
export interface CareActor {
  describe: string;
  /** `Practitioner/1`, `PractitionerRole/2`, `Organization/3`, `code:<system>|<code>` of a role. */
  actors: string[];
  /** The organisations whose data is the caller's own. */
  organizations: string[];
}

/**
 * The gate's decision for one request, read from the access facts at its start (one
 * statement): the caller's groups, the patients they have a treatment relationship with, and
 * those patients' consent rules about them. Never cached, so a removed member, an ended plan, a
 * revoked consent or a discharge holds from the next request on, on every node.
 */
export function createCareGate(deps: { facts: AccessFacts; dischargeGraceMs: number }) {
  const { facts, dischargeGraceMs } = deps;
  return async (who: CareActor, now = Date.now()): Promise<CareDecision> => {
    const found = await facts.decide(who.actors, who.organizations, now, {
      bases: DISCHARGE_BASES,
      ms: dischargeGraceMs,
    });
    const patients = new Map<string, { bases: string[]; rules: ConsentRule[] }>();
    for (const { patientId, basis } of found.relationships) {
      const p = patients.get(patientId) ?? { bases: [], rules: [] };
      p.bases.push(basis);
      // In an emergency another organisation's data needs no permit; the patient's denies hold.
      if (basis === 'emergency') p.rules.push({ decision: 'permit', namesActor: false, category: null });
      patients.set(patientId, p);
    }
    for (const c of found.consents) {
      patients.get(c.patientId)?.rules.push({
        decision: c.decision,
        namesActor: c.actor !== null,
        category: c.category,
      });
    }
    return {
      describe: who.describe,
      actors: new Set(found.actors),
      organizations: who.organizations,
      patients,
    };
  };
}
