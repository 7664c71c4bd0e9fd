import type { Said } from '../../domain/language.ts';
import { isCorrectionTask } from '../../domain/practice/correction-codes.ts';
import { isEconsultCommunication, isPortalRequestTask } from '../../domain/practice/portal-requests.ts';
import { FhirError } from '../../fhir/errors.ts';
import type { Resource } from '../../fhir/storage/types.ts';

/** A kind of resource the practice portal's operations make and move, and which ones do. */
interface Managed {
  is: (resource: Resource) => boolean;
  /** Which operations make and change it, as the refusal says after the resource's name. */
  by: Said;
}

const MANAGED: readonly Managed[] = [
  {
    is: isCorrectionTask,
    by: {
      en: "a correction request's Task: the server makes it when the request arrives, and the practice moves it with POST Task/[id]/$correction-status",
      nl: 'de Task van een correctieverzoek: de server maakt hem als het verzoek binnenkomt, en de praktijk zet hem verder met POST Task/[id]/$correction-status',
    },
  },
  {
    is: (r) => isPortalRequestTask(r, 'repeat-prescription'),
    by: {
      en: 'a repeat prescription request: the patient asks with POST MedicationRequest/[id]/$request-repeat, and the practice decides with POST Task/[id]/$decide-repeat',
      nl: 'een aanvraag voor een herhaalrecept: de patiënt vraagt die aan met POST MedicationRequest/[id]/$request-repeat, en de praktijk beslist met POST Task/[id]/$decide-repeat',
    },
  },
  {
    is: (r) => isPortalRequestTask(r, 'econsult') || isEconsultCommunication(r),
    by: {
      en: 'part of an eConsult: the patient asks with POST Patient/[id]/$econsult, and the GP answers with POST Communication/[id]/$answer',
      nl: 'onderdeel van een eConsult: de patiënt stelt de vraag met POST Patient/[id]/$econsult, en de huisarts antwoordt met POST Communication/[id]/$answer',
    },
  },
];

/**
 * What a patient asks their practice through the portal (a correction request's Task, a repeat
 * prescription request, an eConsult question, its answer and the practice's Task on it) is made
 * and moved only by its operations, which hold its rules (a session code per service, one open
 * request per medication, the question's length and the number waiting, who decides or answers)
 * and write on the caller's behalf past this rule (`onBehalf`). A gated caller who wrote one
 * directly would skip them: a patient's app with write scopes could ask without the service's
 * code, or mark their own request handled; a caregiver could "answer" outside `$answer`.
 * Deleting is left to the patient's compartment rules (a conformance purge clears them). Trusted
 * callers (the operator, a trusted integration) are not gated.
 */
export function assertNotPortalManaged(
  resourceType: string,
  id: string,
  after: Resource | undefined,
  before: Resource | undefined,
) {
  if (!after) return;
  const managed = MANAGED.find((m) => m.is(after) || (before !== undefined && m.is(before)));
  if (!managed) return;
  throw new FhirError(
    403,
    `${resourceType}/${id} is ${managed.by.en}; it is not written directly / ` +
      `${resourceType}/${id} is ${managed.by.nl}; die wordt niet rechtstreeks geschreven`,
    { code: 'forbidden' },
  );
}
