/**
 * Codes of correction requests (MedMij "PatientCorrections 1.0", Nictiz's profile of HL7's
 * Patient Request for Corrections IG): the Communication a health app sends, and the Task the
 * practice handles it by.
 */

/** Nictiz's profile of the request's Communication (package nictiz.fhir.nl.r4.patientcorrections). */
export const CORRECTION_COMMUNICATION_PROFILE =
  'http://nictiz.nl/fhir/StructureDefinition/dwv-PatientCorrectionsCommunication';

/**
 * Communication.category of a correction request: Nictiz's scripts use the IG's build URL,
 * HL7's published IG its canonical one; both mean the same code.
 */
export const COMMUNICATION_TYPE_SYSTEMS: readonly string[] = [
  'https://hl7.org/fhir/uv/fhir-patient-correction/CodeSystem/PatientCorrectionCommunicationTypes',
  'http://hl7.org/fhir/uv/patient-corrections/CodeSystem/PatientCorrectionCommunicationTypes',
];
export const CORRECTION_REQUEST_CODE = 'medRecCxReq';

/** The practice's Task: HL7's PatientCorrectionTask, code medRecCxReq. */
export const CORRECTION_TASK_PROFILE =
  'http://hl7.org/fhir/uv/patient-corrections/StructureDefinition/patient-correction-task';
export const TASK_TYPE_SYSTEM =
  'http://hl7.org/fhir/uv/patient-corrections/CodeSystem/PatientCorrectionTaskTypes';
export const CORRECTION_TASK_CODE = {
  system: TASK_TYPE_SYSTEM,
  code: CORRECTION_REQUEST_CODE,
  display: 'Correction Request',
} as const;

/** Task.output.type of the practice's answer (HL7's PatientCorrectionOutputTypes). */
export const RESOLUTION_OUTPUT = {
  system: 'http://hl7.org/fhir/uv/patient-corrections/CodeSystem/PatientCorrectionOutputTypes',
  code: 'medRecCxReqResolution',
  display: 'Resolution',
} as const;

type Coding = { system?: unknown; code?: unknown };
type Json = Record<string, unknown>;

/** A Communication that asks for a correction: it claims Nictiz's profile, or has the category. */
export function isCorrectionCommunication(resource: Json | undefined): boolean {
  if (resource?.resourceType !== 'Communication') return false;
  const profiles = (resource.meta as { profile?: unknown[] } | undefined)?.profile ?? [];
  if (profiles.includes(CORRECTION_COMMUNICATION_PROFILE)) return true;
  const categories = (resource.category ?? []) as { coding?: Coding[] }[];
  return categories.some((c) =>
    (c?.coding ?? []).some(
      (x) => x?.code === CORRECTION_REQUEST_CODE && COMMUNICATION_TYPE_SYSTEMS.includes(String(x.system)),
    ),
  );
}

/** The Task a correction request made: only $correction-status moves it. */
export function isCorrectionTask(resource: Json | undefined): boolean {
  if (resource?.resourceType !== 'Task') return false;
  const coding = ((resource.code as { coding?: Coding[] } | undefined)?.coding ?? []) as Coding[];
  return coding.some((c) => c.system === TASK_TYPE_SYSTEM && c.code === CORRECTION_REQUEST_CODE);
}
