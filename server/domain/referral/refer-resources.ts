import { CUSTODIAN_SYSTEM } from '../../access/rules/treatment-relationship.ts';
import type { AttachmentInput } from './refer-input.ts';
import {
  DIAGNOSTICS_CATEGORY,
  QUESTIONNAIRE_EXTENSION,
  REFERRAL_CATEGORY,
  REFERRAL_TASK_CODE,
  SHARED_WITH_SYSTEM,
} from './vocabulary.ts';

type Json = Record<string, unknown>;

/** The ids of everything one referral writes, made before anything is written (they refer to each other). */
export interface ReferralIds {
  patient: string;
  serviceRequest: string;
  task: string;
  questionnaireResponse?: string;
  composition: string;
  letter: string;
  attachments: string[];
  communications: { email?: string; sms?: string };
}

/** What the resources are built from. */
export interface ReferralFacts {
  at: string;
  diagnostics: boolean;
  offering: Json;
  receiverId: string;
  referrerOrganizationId: string;
  roleId: string;
  roleDisplay: string;
  reasons: Json[];
  /** A short, human identifier (ORC-2 of the HL7 message). */
  number: string;
}

/** Held by the referrer's organisation; `shared`: opened to the receiving organisation (the gate's share rule). */
export const metaFor = (
  f: Pick<ReferralFacts, 'referrerOrganizationId' | 'receiverId'>,
  shared: boolean,
): Json => ({
  tag: [
    { system: CUSTODIAN_SYSTEM, code: f.referrerOrganizationId },
    ...(shared ? [{ system: SHARED_WITH_SYSTEM, code: f.receiverId }] : []),
  ],
});

const ref = (type: string, id: string, display?: string) => ({
  reference: `${type}/${id}`,
  ...(display ? { display } : {}),
});

/** The referral or diagnostics request (README: the model). */
export function serviceRequest(f: ReferralFacts, ids: ReferralIds): Json {
  const offering = f.offering;
  const type = ((offering.type ?? []) as Json[])[0];
  return {
    resourceType: 'ServiceRequest',
    id: ids.serviceRequest,
    meta: metaFor(f, true),
    identifier: [{ system: 'https://zorgpoort.nl/fhir/NamingSystem/referral', value: f.number }],
    status: 'active',
    intent: 'order',
    category: [{ coding: [f.diagnostics ? DIAGNOSTICS_CATEGORY : REFERRAL_CATEGORY] }],
    code: {
      ...(type && (type.coding as Json[] | undefined)?.length ? { coding: type.coding } : {}),
      text: (offering.name as string | undefined) ?? (f.diagnostics ? 'Diagnostiek' : 'Verwijzing'),
    },
    subject: ref('Patient', ids.patient),
    authoredOn: f.at,
    requester: ref('PractitionerRole', f.roleId, f.roleDisplay),
    performer: [
      ref('Organization', f.receiverId),
      ref('HealthcareService', offering.id as string, offering.name as string),
    ],
    ...(f.reasons.length ? { reasonCode: f.reasons } : {}),
    supportingInfo: [
      ...(ids.questionnaireResponse ? [ref('QuestionnaireResponse', ids.questionnaireResponse)] : []),
      ref('Composition', ids.composition),
      ref('DocumentReference', ids.letter),
      ...ids.attachments.map((a) => ref('DocumentReference', a)),
    ],
  };
}

/** The receiving organisation's work on it (Nictiz hg-ReferralTask). */
export function task(f: ReferralFacts, ids: ReferralIds): Json {
  return {
    resourceType: 'Task',
    id: ids.task,
    meta: metaFor(f, true),
    status: 'requested',
    intent: 'order',
    code: { coding: [REFERRAL_TASK_CODE] },
    focus: ref('ServiceRequest', ids.serviceRequest),
    for: ref('Patient', ids.patient),
    authoredOn: f.at,
    lastModified: f.at,
    requester: ref('PractitionerRole', f.roleId, f.roleDisplay),
    owner: ref('Organization', f.receiverId),
  };
}

/** The answers to the offering's questions. */
export function questionnaireResponse(
  f: ReferralFacts,
  ids: ReferralIds,
  questionnaire: string,
  item: Json[],
): Json {
  return {
    resourceType: 'QuestionnaireResponse',
    id: ids.questionnaireResponse,
    meta: metaFor(f, true),
    questionnaire,
    basedOn: [ref('ServiceRequest', ids.serviceRequest)],
    status: 'completed',
    subject: ref('Patient', ids.patient),
    authored: f.at,
    author: ref('PractitionerRole', f.roleId, f.roleDisplay),
    ...(item.length ? { item } : {}),
  };
}

/** The canonical of the offering's Questionnaire, if it has one. */
export const questionnaireOf = (offering: Json) =>
  ((offering.extension ?? []) as Json[]).find((e) => e.url === QUESTIONNAIRE_EXTENSION)?.valueCanonical as
    string | undefined;

/** A document of the referral (the letter's PDF, an attachment), inline, `context.related` the referral. */
export function documentReference(
  f: ReferralFacts,
  ids: ReferralIds,
  d: { id: string; letter: boolean; contentType: string; data: string; title: string; size: number },
): Json {
  return {
    resourceType: 'DocumentReference',
    id: d.id,
    meta: metaFor(f, true),
    status: 'current',
    docStatus: 'final',
    type: d.letter
      ? { coding: [{ system: 'http://loinc.org', code: '57133-1', display: 'Referral note' }] }
      : { text: 'Bijlage bij verwijzing' },
    subject: ref('Patient', ids.patient),
    date: f.at,
    author: [ref('PractitionerRole', f.roleId, f.roleDisplay)],
    custodian: ref('Organization', f.referrerOrganizationId),
    description: d.title,
    content: [
      {
        attachment: {
          contentType: d.contentType,
          data: d.data,
          title: d.title,
          size: d.size,
          creation: f.at,
        },
      },
    ],
    context: {
      related: [
        ref('ServiceRequest', ids.serviceRequest),
        ...(d.letter ? [ref('Composition', ids.composition)] : []),
      ],
    },
  };
}

export const attachmentDocument = (f: ReferralFacts, ids: ReferralIds, id: string, a: AttachmentInput) =>
  documentReference(f, ids, { id, letter: false, ...a, data: a.data.replace(/\s/g, '') });

/** What was sent to the patient, and how (v3 ParticipationMode: EMAILWRIT, SMSWRIT). */
export function communication(
  f: ReferralFacts,
  ids: ReferralIds,
  c: { id: string; medium: 'EMAILWRIT' | 'SMSWRIT'; to: string; text: string },
): Json {
  return {
    resourceType: 'Communication',
    id: c.id,
    meta: metaFor(f, false),
    status: 'completed',
    about: [ref('ServiceRequest', ids.serviceRequest)],
    subject: ref('Patient', ids.patient),
    medium: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode',
            code: c.medium,
            display: c.medium === 'EMAILWRIT' ? 'email' : 'SMS',
          },
        ],
      },
    ],
    recipient: [ref('Patient', ids.patient)],
    sender: ref('PractitionerRole', f.roleId, f.roleDisplay),
    sent: f.at,
    note: [{ text: `Verstuurd aan ${c.to}` }],
    payload: [{ contentString: c.text }],
  };
}
