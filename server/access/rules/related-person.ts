import type { RelatedPersonPrincipal } from '../../auth/principal.ts';
import { patientId, periodRange } from '../facts/fhir-values.ts';
import type { Resource } from '../policy.ts';

/**
 * A RelatedPerson acts for the patient while the patient's authorisation holds: the resource is
 * active, names that patient, and `now` is within its period.
 */
export function authorisedRelatedPerson(
  principal: RelatedPersonPrincipal,
  relatedPerson: Resource | undefined,
  now = Date.now(),
): boolean {
  if (!relatedPerson || relatedPerson.active === false) return false;
  if (patientId(relatedPerson.patient) !== principal.patientId) return false;
  const { lo, hi } = periodRange(relatedPerson.period);
  return (lo === undefined || lo <= now) && (hi === undefined || hi >= now);
}
