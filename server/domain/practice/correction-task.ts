import type { Resource } from '../../fhir/storage/types.ts';
import {
  COMMUNICATION_TYPE_SYSTEMS,
  CORRECTION_REQUEST_CODE,
  CORRECTION_TASK_CODE,
  CORRECTION_TASK_PROFILE,
} from './correction-codes.ts';
import { displayName, type Party } from './correction-parties.ts';

/**
 * The Task a practice handles a correction request by (HL7's PatientCorrectionTask): ordered by
 * the patient, for themself, owned by the practice, with the request's Communication as focus and
 * input. It starts `requested`; only the practice's staff move it ($correction-status). Every
 * reference carries a display and every code one too (MedMij's rules for what a server answers).
 */
export function correctionTask(input: {
  patient: Party;
  practice: Party;
  communicationId: string;
  topic?: string;
  now: Date;
}): Resource {
  const { patient, practice, communicationId, topic, now } = input;
  const who = {
    reference: `Patient/${patient.id}`,
    type: 'Patient',
    display: displayName(patient.stored) ?? `Patient/${patient.id}`,
  };
  const request = {
    reference: `Communication/${communicationId}`,
    type: 'Communication',
    display: topic ?? 'Correctieverzoek',
  };
  return {
    resourceType: 'Task',
    meta: { profile: [CORRECTION_TASK_PROFILE] },
    status: 'requested',
    intent: 'order',
    code: { coding: [CORRECTION_TASK_CODE], text: 'Correctieverzoek' },
    ...(topic ? { description: topic } : {}),
    focus: request,
    for: who,
    authoredOn: now.toISOString(),
    lastModified: now.toISOString(),
    requester: who,
    owner: {
      reference: `Organization/${practice.id}`,
      type: 'Organization',
      display: displayName(practice.stored) ?? `Organization/${practice.id}`,
    },
    input: [
      {
        type: {
          coding: [
            {
              system: COMMUNICATION_TYPE_SYSTEMS[1],
              code: CORRECTION_REQUEST_CODE,
              display: 'Correction Request',
            },
          ],
        },
        valueReference: request,
      },
    ],
  };
}
