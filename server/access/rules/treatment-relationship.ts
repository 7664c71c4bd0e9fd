import type { SearchEngine } from '../../fhir/search/engine.ts';
import { and, FALSE, not, or, TRUE, typeIn } from '../../fhir/search/conditions.ts';
import type { Condition } from '../../fhir/search/types.ts';
import { CARE_DIRECTORY_TYPES } from '../care-types.ts';
import { consentFacts, CONSENT_SCOPE } from '../facts/consent-rules.ts';
import { relationshipFacts } from '../facts/treatment-relationships.ts';
import type { AccessPolicy, Resource } from '../policy.ts';
import { approvedOnlyCondition } from './approved-only.ts';
import { consentVerdict, rulesKey, type ConsentRule } from './consent.ts';
import { sharedOnly, sharedWithAny } from './shared-with.ts';
import type { createCategoryMatcher } from './data-categories.ts';

/**
 * Record types whose rows may belong to no patient: caregiver groups, and a practice's agenda
 * (a Schedule of a practitioner or place: rules/practice-agenda.ts).
 */
const PATIENT_FREE_TYPES: ReadonlySet<string> = new Set(['CareTeam', 'Schedule']);

/** The tag that names the organisation holding a resource (set by the server on every write). */
export const CUSTODIAN_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';

/** A row held by this organisation: one probe of the row's own custodian tag. */
export function heldBy(organizationId: string): Condition {
  return {
    kind: 'index',
    table: 'token',
    params: ['Resource._tag'],
    where: [
      { op: 'eq', column: 'system', value: CUSTODIAN_SYSTEM },
      { op: 'eq', column: 'code', value: organizationId },
    ],
  };
}

/** What the gate found for one caregiver or care system at the start of a request. */
export interface CareDecision {
  describe: string;
  /** Everything the caller acts as: themself, their roles, organisations, groups, role codes. */
  actors: ReadonlySet<string>;
  /** The organisations whose data is the caller's own (the login's organisation). */
  organizations: readonly string[];
  /** Patients the caller has a treatment relationship with, and their consent rules for the caller. */
  patients: ReadonlyMap<string, { bases: readonly string[]; rules: readonly ConsentRule[] }>;
}

/**
 * A caregiver or care system sees a patient's data through a treatment relationship ∧ consent:
 * a row of the Patient compartment is theirs when every patient it belongs to is related to
 * them, no consent rule of that patient denies it, and it is not held by another organisation
 * than theirs unless a consent rule permits it or a referral shared it with their organisation
 * (the Patient resource itself needs no permit: the relationship is knowing the patient). Rows of the care directory are everyone's; other types no one's.
 */
export function careProviderAccess(
  decision: CareDecision,
  search: SearchEngine,
  categoryOf: ReturnType<typeof createCategoryMatcher>,
  /**
   * Whether a write may relate the caller to a patient it names (an admission by the hospital's
   * system). Only an organisation's system client: a person's login that could make itself
   * related by writing an Encounter or a referral naming itself would need no break-the-glass.
   */
  mayRelateSelf = true,
  /** Organisations whose rows others see only when approved (approved-only.ts). */
  approvedOnly: readonly string[] = [],
): AccessPolicy {
  const members = search.compartmentMembers('Patient') ?? new Set<string>();
  const recordTypes = ['Patient', ...members];
  const inRecord = (type: string) => type === 'Patient' || members.has(type);
  const groups = new Map<string, { ids: string[]; rules: readonly ConsentRule[] }>();
  for (const [id, { rules }] of decision.patients) {
    const key = rulesKey(rules);
    const g = groups.get(key) ?? { ids: [], rules };
    g.ids.push(id);
    groups.set(key, g);
  }
  // Held by the caller's own organisation, or by none (data written before custodians, or by
  // the patient): only another organisation's data needs the patient's explicit permit. One
  // probe of the row's own tags, so the database checks it per row (never by collecting every
  // tagged row).
  const notOthers: Condition = not({
    kind: 'index',
    table: 'token',
    params: ['Resource._tag'],
    where: [
      { op: 'eq', column: 'system', value: CUSTODIAN_SYSTEM },
      ...decision.organizations.map((o) => ({ op: 'ne' as const, column: 'code', value: o })),
    ],
  });
  // A row a referral shared with the caller's organisation (server-set tag, rules/shared-with.ts)
  // counts as the patient's permit for it: that row only, the relationship still required, a
  // deny still first.
  const sharedWithMine = sharedWithAny(decision.organizations);
  const approved = approvedOnlyCondition(search, approvedOnly, decision.organizations);
  const isPatient = (type: string | undefined): Condition =>
    type === undefined ? typeIn(['Patient']) : type === 'Patient' ? TRUE : FALSE;

  function recordCondition(type: string | undefined): Condition {
    const each = (atLeastOne: boolean): Condition => ({
      kind: 'each-compartment',
      compartmentType: 'Patient',
      atLeastOne,
      cases: [...groups.values()].map((g) => {
        const { deny, permit } = consentVerdict(g.rules, type, categoryOf);
        return {
          ids: g.ids,
          condition: and([not(deny), or([notOthers, permit, sharedWithMine, isPatient(type)])]),
        };
      }),
    });
    // A row of a record type that names no patient this server knows (an absolute URL of another
    // server, an identifier only) may be anyone's: hidden, but for the types that are patient-free
    // by nature (a caregiver group).
    if (type !== undefined) return and([each(!PATIENT_FREE_TYPES.has(type)), approved(type)]);
    return and([or([and([typeIn([...PATIENT_FREE_TYPES]), each(false)]), each(true)]), approved(undefined)]);
  }
  const cache = new Map<string, Condition>();
  const searchCondition = (type: string): Condition => {
    if (CARE_DIRECTORY_TYPES.has(type)) return TRUE;
    if (!inRecord(type)) return FALSE;
    if (!cache.has(type)) cache.set(type, recordCondition(type));
    return cache.get(type)!;
  };
  const canSee = (r: Resource) => search.matches(searchCondition(r.resourceType), r);

  /**
   * A write may name only related patients, or ones it relates to the caller itself; a
   * patient-free record (a caregiver group) only when held by the caller's organisation, so no
   * one joins another organisation's group to reach its plans' patients.
   */
  const canWrite = (r: Resource) => {
    if (CARE_DIRECTORY_TYPES.has(r.resourceType)) return true;
    if (!inRecord(r.resourceType)) return false;
    // The patient's privacy choices are theirs (or their representative's, or a trusted
    // system's) to record: a caregiver who could write them could permit themself.
    if (consentFacts(r).length > 0 || isPrivacyConsent(r)) return false;
    // Another organisation's row shared with us by a referral is read-only (guard-writes.ts says why).
    if (sharedOnly(r, decision.organizations)) return false;
    const relates = mayRelateSelf
      ? relationshipFacts(r)
          .filter((f) => f.actor && decision.actors.has(f.actor))
          .map((f) => f.patientId)
      : [];
    const patients = search.patientsOf(r);
    if (patients.length === 0) {
      const held = custodianOf(r);
      return held !== undefined && decision.organizations.includes(held);
    }
    return patients.every((p) => decision.patients.has(p) || relates.includes(p));
  };

  const own = decision.organizations[0];
  return {
    restricted: true,
    describe: decision.describe,
    organizations: decision.organizations,
    searchCondition,
    anyTypeCondition: or([
      typeIn([...CARE_DIRECTORY_TYPES]),
      and([typeIn(recordTypes), recordCondition(undefined)]),
    ]),
    canSee,
    canWrite,
    allows: () => true,
    basisOf: (patientId) => {
      const p = decision.patients.get(patientId);
      if (!p) return [];
      return [
        ...new Set(p.bases.map((b) => (b === 'emergency' ? b : `relationship:${b}`))),
        ...(p.rules.some((r) => r.decision === 'permit' && r.namesActor) ? ['consent'] : []),
      ];
    },
    // The holder of a resource stays who first wrote it; a caller cannot name another.
    stamp: (resource, current) => {
      const held = custodianOf(current) ?? own;
      const meta = { ...(resource.meta as Meta | undefined) };
      const tag = (meta.tag ?? []).filter((t) => t.system !== CUSTODIAN_SYSTEM);
      if (held) tag.push({ system: CUSTODIAN_SYSTEM, code: held });
      if (tag.length) meta.tag = tag;
      else delete meta.tag;
      const { meta: _, ...rest } = resource;
      return Object.keys(meta).length ? { ...rest, meta, resourceType: resource.resourceType } : rest;
    },
  };
}

type Meta = { tag?: { system?: string; code?: string }[] };

/** The organisation a stored resource is held by. */
export function custodianOf(resource: Resource | undefined): string | undefined {
  return (resource?.meta as Meta | undefined)?.tag?.find((t) => t.system === CUSTODIAN_SYSTEM)?.code;
}

/** A Consent about who sees the patient's data (scope patient-privacy), in any state. */
function isPrivacyConsent(r: Resource): boolean {
  if (r.resourceType !== 'Consent') return false;
  const scope = r.scope as { coding?: { system?: string; code?: string }[] } | undefined;
  return (scope?.coding ?? []).some((c) => c.system === CONSENT_SCOPE && c.code === 'patient-privacy');
}
