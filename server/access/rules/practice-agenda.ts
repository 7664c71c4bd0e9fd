import type { SearchEngine } from '../../fhir/search/engine.ts';
import { and, FALSE, or, typeIn } from '../../fhir/search/conditions.ts';
import type { Condition } from '../../fhir/search/types.ts';
import type { AccessPolicy, Resource } from '../policy.ts';
import { heldBy } from './treatment-relationship.ts';

/**
 * A practice's agenda (seed 004, "Webagenda"): its Schedules and their Slots. They hold no one's
 * health data — who works when, and which times are free — so they are read like the directory,
 * with two limits for patients: a patient reads the agenda of their own practice only (the
 * organisation that holds it, its custodian tag), and of its Slots only the free ones, so a
 * patient never learns when someone else was booked (a Slot names no patient in any case).
 */
export const AGENDA_TYPES: ReadonlySet<string> = new Set(['Schedule', 'Slot']);

/**
 * A row in no patient's compartment. A Schedule is a Patient compartment type (its `actor` may
 * be a patient); one that names none is a practitioner's or a place's agenda.
 */
export const NO_PATIENT: Condition = {
  kind: 'each-compartment',
  compartmentType: 'Patient',
  cases: [],
};

const free = new WeakMap<SearchEngine, Condition>();
/** A Slot whose status is free (compiled once per search engine). */
function freeSlot(search: SearchEngine): Condition {
  let c = free.get(search);
  if (!c) free.set(search, (c = search.criteria('Slot', 'status=free', '').condition));
  return c;
}

/**
 * What a patient reads of the agenda beside their own compartment: the Schedules (naming no
 * patient) and the free Slots held by one of their practices. No practice, nothing.
 */
export function patientAgenda(practices: readonly string[], search: SearchEngine) {
  const held = or(practices.map(heldBy));
  const isFree = freeSlot(search);
  const conditions: Record<string, Condition> = {
    Schedule: and([NO_PATIENT, held]),
    Slot: and([held, isFree]),
  };
  return (type: string): Condition => conditions[type] ?? FALSE;
}

/**
 * A patient's policy with their practice's agenda (SQL criteria and the in-memory twin alike);
 * writes are not widened: a booking is `Slot/[id]/$book` (server/domain/practice).
 */
export function withPatientAgenda(
  policy: AccessPolicy,
  practices: readonly string[],
  search: SearchEngine,
): AccessPolicy {
  if (!practices.length) return policy;
  const agenda = patientAgenda(practices, search);
  const searchCondition = (type: string): Condition =>
    AGENDA_TYPES.has(type) ? or([policy.searchCondition(type), agenda(type)]) : policy.searchCondition(type);
  return {
    ...policy,
    searchCondition,
    anyTypeCondition: or([
      policy.anyTypeCondition,
      ...[...AGENDA_TYPES].map((t) => and([typeIn([t]), agenda(t)])),
    ]),
    canSee: (r: Resource) =>
      policy.canSee(r) || (AGENDA_TYPES.has(r.resourceType) && search.matches(agenda(r.resourceType), r)),
  };
}
