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

/** Decisions kept per node; beyond it the oldest go (a kept one is only a saved statement). */
const KEPT_DECISIONS = 10_000;

/**
 * The gate's decision for one request, read from the access facts at its start (one
 * statement): the caller's groups, the patients they have a treatment relationship with, and
 * those patients' consent rules about them. A decision is kept for the next request of the same
 * actors, but that request still asks the database (the same statement) whether any fact has
 * changed since, on any node, and time has not reached a period's start or end: only then is
 * it reused (migration 009). So a removed member, an ended plan, a revoked consent or a
 * discharge holds from the next request on, on every node; what is saved is the work of
 * deciding, not the question.
 */
export function createCareGate(deps: { facts: AccessFacts; dischargeGraceMs: number }) {
  const { facts, dischargeGraceMs } = deps;
  const kept = new Map<string, { epoch: string; until: number | null; decision: CareDecision }>();
  return async (who: CareActor, now = Date.now()): Promise<CareDecision> => {
    const key = JSON.stringify([who.describe, who.actors, who.organizations]);
    const before = kept.get(key);
    const usable = before && (before.until === null || now < before.until) ? before : undefined;
    const grace = { bases: DISCHARGE_BASES, ms: dischargeGraceMs };
    const found = await facts.decide(who.actors, who.organizations, now, grace, usable?.epoch);
    if (found === 'same') return usable!.decision;
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
    const decision: CareDecision = {
      describe: who.describe,
      actors: new Set(found.actors),
      organizations: who.organizations,
      patients,
    };
    kept.delete(key);
    if (kept.size >= KEPT_DECISIONS) kept.delete(kept.keys().next().value!);
    kept.set(key, { epoch: found.epoch, until: found.until, decision });
    return decision;
  };
}
