import { isCorrectionTask } from '../../domain/practice/correction-codes.ts';
import { FhirError } from '../../fhir/errors.ts';
import type { Resource } from '../../fhir/storage/types.ts';

/**
 * A correction request's Task (server/domain/practice) is made by the server when a patient's
 * health app sends the request, and moved only by the practice's staff through
 * `$correction-status`: a gated caller who wrote it directly could mark their own request
 * handled, or hand it to another organisation. Deleting is left to the patient's compartment
 * rules (a conformance purge clears it). Trusted callers are not gated.
 */
export function assertNotCorrectionManaged(
  resourceType: string,
  id: string,
  after: Resource | undefined,
  before: Resource | undefined,
) {
  if (resourceType !== 'Task' || !after) return;
  if (!isCorrectionTask(after) && !isCorrectionTask(before)) return;
  throw new FhirError(
    403,
    `Task/${id} is a correction request's Task: the server makes it when the request arrives, and the ` +
      `practice moves it with POST Task/[id]/$correction-status / Task/${id} is de Task van een ` +
      `correctieverzoek: de server maakt hem als het verzoek binnenkomt, en de praktijk zet hem verder met ` +
      `POST Task/[id]/$correction-status`,
    { code: 'forbidden' },
  );
}
