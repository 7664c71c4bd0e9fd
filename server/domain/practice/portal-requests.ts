import { CUSTODIAN_SYSTEM } from '../../access/rules/treatment-relationship.ts';
import type { Principal, PractitionerPrincipal } from '../../auth/principal.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import { practicesOf } from './patient-practices.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import { refuse, type Language } from '../language.ts';
import { staffPractices } from './staff.ts';
import { PRACTICE_STAFF, type PracticeStaffRole } from './vocabulary.ts';

/**
 * What the patient's requests to their practice share (repeat prescriptions and eConsult, seed
 * 004 "Receptservice" and "eConsult"): our codes, who the patient and their practice are, the
 * patient's e-mail address, and who at the practice acts.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;
type Ref = { reference?: string } | undefined;

/** Our CodeSystem of the portal's requests (profiles/terminology/practice-portal.json). */
export const PORTAL_REQUEST_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/practice-portal';

const concept = (code: string, nl: string, en: string) => ({
  coding: [{ system: PORTAL_REQUEST_SYSTEM, code, display: nl }],
  text: `${nl} / ${en}`,
});

/** Task.code of a patient's request for a repeat of a prescription. */
export const REPEAT_PRESCRIPTION = concept(
  'repeat-prescription',
  'Aanvraag herhaalrecept',
  'Repeat prescription request',
);
/** Communication.category of an eConsult question and its answer; Task.code of the practice's work on it. */
export const ECONSULT = concept('econsult', 'eConsult', 'eConsult');
/** Task.input: the pharmacy the patient wants the repeat sent to. */
export const PHARMACY_INPUT = concept('pharmacy', 'Apotheek', 'Pharmacy');
/** Task.output: what the practice's decision made (the new MedicationRequest, the answer). */
export const RESULT_OUTPUT = concept('result', 'Resultaat', 'Result');
/** Task.businessStatus: an assistant prepared the request for the GP or physician assistant. */
export const PREPARED = concept('prepared', 'Klaargezet voor de arts', 'Prepared for the doctor');

type Coded = { coding?: { system?: unknown; code?: unknown }[] } | undefined;
const hasCode = (concept: Coded, codes: readonly string[]) =>
  (concept?.coding ?? []).some((c) => c?.system === PORTAL_REQUEST_SYSTEM && codes.includes(String(c.code)));

/** A Task of the portal's requests (a repeat prescription, the practice's work on an eConsult). */
export const isPortalRequestTask = (resource: Json | undefined, code: 'repeat-prescription' | 'econsult') =>
  resource?.resourceType === 'Task' && hasCode(resource.code as Coded, [code]);

/** An eConsult question or its answer: a Communication of category econsult. */
export const isEconsultCommunication = (resource: Json | undefined) =>
  resource?.resourceType === 'Communication' &&
  ((resource.category ?? []) as Coded[]).some((c) => hasCode(c, ['econsult']));

/** A request the practice has not finished with. */
export const OPEN_TASK = ['requested', 'received', 'accepted', 'ready', 'in-progress', 'on-hold'];

export const parse = (v: { content?: string | null } | undefined): Json | undefined =>
  v?.content ? (JSON.parse(v.content) as Json) : undefined;

export const idOf = (ref: Ref, type: string): string | undefined => {
  const m = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(ref?.reference ?? '');
  return m && m[1] === type ? m[2] : undefined;
};

/** The server-set holder of what the portal writes: the practice (server/access/README.md, "Whose data"). */
export const heldBy = (organizationId: string) => ({
  tag: [{ system: CUSTODIAN_SYSTEM, code: organizationId }],
});

/** The patient a portal request is made for, and who makes it (the patient, or their representative). */
export interface PortalActor {
  patientId: string;
  requester: { reference: string };
}

/**
 * A patient (or a RelatedPerson acting for them) asks: anyone else is refused, because these
 * requests are the patient's own (a caregiver prescribes or answers through the practice's side).
 */
export function portalActor(principal: Principal, language: Language, what: string): PortalActor {
  if (principal.kind === 'patient') {
    return { patientId: principal.patientId, requester: { reference: `Patient/${principal.patientId}` } };
  }
  if (principal.kind === 'related-person') {
    return {
      patientId: principal.patientId,
      requester: { reference: `RelatedPerson/${principal.relatedPersonId}` },
    };
  }
  refuse(language, 403, 'forbidden', {
    en: `${what} is asked by the patient (or their representative), logged in to the patient portal`,
    nl: `${what} vraagt de patiënt (of diens vertegenwoordiger) aan, ingelogd op het patiëntenportaal`,
  });
}

/**
 * The patient's GP practice: `generalPractitioner` (an Organization, or a PractitionerRole of
 * one), else `managingOrganization` (the brief's seam in server/domain/practice/staff.ts).
 */
export async function practiceOf(raw: ResourceStore, patient: Json): Promise<string | undefined> {
  const [first] = await practicesOf(patient, async (type, id) => parse(await raw.read(type, id)));
  return first;
}

/** The patient's record and practice, or a refusal the patient can act on (call the practice). */
export async function patientAndPractice(
  raw: ResourceStore,
  patientId: string,
  language: Language,
): Promise<{ patient: Json; practiceId: string; practiceName?: string }> {
  const patient = parse(await raw.read('Patient', patientId));
  if (!patient) {
    refuse(language, 404, 'not-found', {
      en: `Patient/${patientId} is not known`,
      nl: `Patient/${patientId} is niet bekend`,
    });
  }
  const practiceId = await practiceOf(raw, patient);
  if (!practiceId) {
    refuse(language, 422, 'business-rule', {
      en: 'Your record names no GP practice (generalPractitioner): please call your practice to have it added',
      nl: 'Uw dossier noemt geen huisartsenpraktijk (generalPractitioner): bel uw praktijk om die te laten vastleggen',
    });
  }
  const practice = parse(await raw.read('Organization', practiceId));
  const practiceName = practice?.name as string | undefined;
  return { patient, practiceId, ...(practiceName ? { practiceName } : {}) };
}

/**
 * Where the patient hears of their requests: the first e-mail address in `Patient.telecom` that
 * has not ended. (When the portal's accounts exist, their Person's address is the better one.)
 */
export function emailOf(patient: Json | undefined, now: Date): string | undefined {
  for (const t of (patient?.telecom ?? []) as Json[]) {
    if (t.system !== 'email' || typeof t.value !== 'string' || !t.value.includes('@')) continue;
    const end = (t.period as Json | undefined)?.end;
    if (typeof end === 'string' && Date.parse(end) < now.getTime()) continue;
    return t.value.trim();
  }
  return undefined;
}

/**
 * The caller's PractitionerRole at `practiceId` in one of `roles`, as the reference a decision
 * or an answer is signed with; undefined when they hold none there.
 */
export function roleAt(
  principal: Principal,
  practiceId: string,
  roles: readonly PracticeStaffRole[],
): { reference: string } | undefined {
  if (!staffPractices(principal, roles).includes(practiceId)) return undefined;
  const wanted = new Set<string>(roles.map((r) => PRACTICE_STAFF[r]));
  const role = (principal as PractitionerPrincipal).roles.find(
    (r) => r.organizationId === practiceId && r.codes.some((c) => wanted.has(c)),
  );
  return role ? { reference: `PractitionerRole/${role.practitionerRoleId}` } : undefined;
}

/** A practitioner working at some GP practice; anyone else is refused before anything is read. */
export function requireStaff(ctx: RestContext, what: Said): void {
  if (staffPractices(ctx.principal).length) return;
  refuse(ctx.language, 403, 'forbidden', what);
}

type Said = { nl: string; en: string };

/** A text parameter within its limit, or a refusal naming the limit. */
export function limited(language: Language, name: string, value: string | undefined, max: number): void {
  if (value === undefined || value.length <= max) return;
  refuse(language, 400, 'too-long', {
    en: `Parameter '${name}' is ${value.length} characters; at most ${max} are taken`,
    nl: `Parameter '${name}' is ${value.length} tekens lang; er passen er hoogstens ${max}`,
  });
}
