import type { SearchEngine } from '../fhir/search/engine.ts';
import { FALSE, TRUE } from '../fhir/search/conditions.ts';
import type { Condition } from '../fhir/search/types.ts';
import type { AccessPolicy, Resource } from './policy.ts';
import { PATIENT_ASSERTED } from './rules/data-categories.ts';
import { SHARED_TYPES } from './shared-types.ts';

/**
 * A patient sees their own compartment (their Patient resource and everything that refers to
 * them through the Patient CompartmentDefinition's parameters) and the shared types of
 * shared-types.ts; nothing else. They write only inside their compartment, and only what
 * belongs to no other patient. `writeAll` lifts
 * that for writes only: the Nictiz qualification load scripts PUT every patient's fixtures
 * with one patient's token, so a conformance token must be able to load data it then may not
 * read back.
 */
export function patientCompartmentAccess(
  patientId: string,
  search: SearchEngine,
  options: { writeAll: boolean; records?: readonly string[] },
): AccessPolicy {
  const members = search.compartmentMembers('Patient');
  if (!members) throw new Error('the Patient CompartmentDefinition is not loaded');
  const compartmentOf = (id: string): Condition => ({
    kind: 'compartment',
    compartmentType: 'Patient',
    compartmentId: id,
  });
  // Their own record, and the person's other records (by BSN) for reading: what a referrer
  // who could not see their record wrote about them shows in their view too.
  const records = [patientId, ...(options.records ?? []).filter((r) => r !== patientId)];
  const inCompartment: Condition =
    records.length === 1 ? compartmentOf(patientId) : { kind: 'or', args: records.map(compartmentOf) };
  const ownCompartment = compartmentOf(patientId);
  const scoped = (type: string) => type === 'Patient' || members.has(type);
  const condition = (type: string): Condition =>
    scoped(type) ? inCompartment : SHARED_TYPES.has(type) ? TRUE : FALSE;
  const canSee: AccessPolicy['canSee'] = (resource) =>
    scoped(resource.resourceType)
      ? search.matches(inCompartment, resource)
      : SHARED_TYPES.has(resource.resourceType);
  return {
    restricted: true,
    describe: `Patient/${patientId}`,
    // The Nictiz load scripts PUT fixtures with one patient's token (test mode only).
    updateCreate: options.writeAll,
    searchCondition: condition,
    anyTypeCondition: {
      kind: 'or',
      args: [
        inCompartment,
        {
          kind: 'resource',
          column: 'type',
          where: [{ op: 'in', column: 'type', values: [...SHARED_TYPES] }],
        },
      ],
    },
    canSee,
    allows: () => true,
    basisOf: (id) => (records.includes(id) ? ['own-data'] : []),
    // Every patient the resource belongs to must be this one: an Observation about oneself with
    // another patient as performer would put it in that patient's record.
    // A Consent may be about any of their records: consent rules are per record, so a deny must
    // be recordable on the record a referrer made too (server/access/README.md, "Several records").
    canWrite: (resource) =>
      options.writeAll ||
      (resource.resourceType === 'Consent'
        ? search.matches(inCompartment, resource) &&
          search.patientsOf(resource).every((p) => records.includes(p))
        : scoped(resource.resourceType) &&
          search.matches(ownCompartment, resource) &&
          search.patientsOf(resource).every((p) => p === patientId)),
    // What a patient or their app writes is patient-entered data (PGD): labelled, so a consent
    // can name it. The Nictiz load scripts' fixtures are the systems' data and stay as sent.
    ...(options.writeAll ? {} : { stamp: labelPatientAsserted }),
  };
}

type Meta = { security?: { system?: string; code?: string }[] };

const asserted = (r: Resource | undefined) =>
  ((r?.meta as Meta | undefined)?.security ?? []).some(
    (s) => s.system === PATIENT_ASSERTED.system && s.code === PATIENT_ASSERTED.code,
  );

/**
 * A patient's new resource is patient-entered data; so is a new version of one. A resource a
 * caregiver wrote stays theirs when the patient updates it (their own Patient record, say), so a
 * consent about patient-entered data does not come to cover it.
 */
function labelPatientAsserted(resource: Resource, current: Resource | undefined): Resource {
  if (asserted(resource) || (current && !asserted(current))) return resource;
  const meta = { ...(resource.meta as Meta | undefined) };
  return { ...resource, meta: { ...meta, security: [...(meta.security ?? []), PATIENT_ASSERTED] } };
}
