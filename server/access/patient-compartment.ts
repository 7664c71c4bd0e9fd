import type { SearchEngine } from '../fhir/search/engine.ts';
import type { Condition } from '../fhir/search/types.ts';
import type { AccessPolicy } from './policy.ts';

/**
 * A patient sees their own compartment (their Patient resource and everything that refers to
 * them through the Patient CompartmentDefinition's parameters) and the shared resources
 * outside any patient's compartment (Medication, Organization, Location, Practitioner, …).
 * They write only inside their compartment. `writeAll` lifts that for writes only: the Nictiz
 * qualification load scripts PUT every patient's fixtures with one patient's token, so a
 * conformance token must be able to load data it then may not read back.
 */
export function patientCompartmentAccess(
  patientId: string,
  search: SearchEngine,
  options: { writeAll: boolean },
): AccessPolicy {
  const members = search.compartmentMembers('Patient');
  if (!members) throw new Error('the Patient CompartmentDefinition is not loaded');
  const inCompartment: Condition = {
    kind: 'compartment',
    compartmentType: 'Patient',
    compartmentId: patientId,
  };
  const scoped = (type: string) => type === 'Patient' || members.has(type);
  const canSee: AccessPolicy['canSee'] = (resource) =>
    !scoped(resource.resourceType) || search.matches(inCompartment, resource);
  return {
    restricted: true,
    describe: `Patient/${patientId}`,
    searchCondition: (type) => (scoped(type) ? inCompartment : { kind: 'true' }),
    canSee,
    canWrite: (resource) => options.writeAll || (scoped(resource.resourceType) && canSee(resource)),
  };
}
