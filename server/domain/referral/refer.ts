import { randomBytes, randomUUID } from 'node:crypto';
import { custodianOf } from '../../access/rules/treatment-relationship.ts';
import { FhirError } from '../../fhir/errors.ts';
import { loadCurrent } from '../../fhir/rest/read.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import type { Mailer } from '../../jobs/mail.ts';
import type { SmsSender } from '../../jobs/sms.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { searchAll } from '../search-all.ts';
import { letterPdf } from './letter-pdf.ts';
import { readAs } from './parties.ts';
import { answersFrom, checkAnswers } from './refer-answers.ts';
import { attachments, checkFile, contact, letterSections, reasonCodes } from './refer-input.ts';
import { composition, letterContent, nameOf, type LetterFacts } from './refer-letter.ts';
import { noticeMail, noticeSms, type Notice } from './refer-notice.ts';
import { patientInput, referredPatient } from './refer-patient.ts';
import { referringFunction } from './refer-referrer.ts';
import {
  attachmentDocument,
  communication,
  documentReference,
  metaFor,
  questionnaireOf,
  questionnaireResponse,
  serviceRequest,
  task,
  type ReferralFacts,
  type ReferralIds,
} from './refer-resources.ts';
import { hasHl7Destination, queueHl7, type SendHl7Deps } from './send-hl7.ts';
import { OFFERING_KIND_SYSTEM } from './vocabulary.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: string } | undefined;

export interface ReferDeps extends SendHl7Deps {
  mailer: Mailer;
  sms: SmsSender;
  /** The largest attachment, in bytes (REFERRAL_ATTACHMENT_MAX_BYTES). */
  attachmentMaxBytes: number;
}

/** What a referral writes; the Patient only when it is the referrer's new record. */
const WRITTEN = [
  'ServiceRequest',
  'Task',
  'QuestionnaireResponse',
  'Composition',
  'DocumentReference',
  'Communication',
];

const param = (name: string, value: Json) => ({ name, ...value });
const reference = (type: string, id: string) => ({ valueReference: { reference: `${type}/${id}` } });

/**
 * `POST HealthcareService/[id]/$refer`: a referral (or diagnostics request, by the offering's
 * kind) from a referrer's care function to the offering's provider, for a patient, with the
 * answers to the offering's questions, the letter (a Composition and its PDF) and attachments;
 * the patient is told by e-mail and SMS. Everything is written in one transaction, with the
 * messages in the outbox; the rows the receiver needs carry `shared-with` its organisation
 * (server/access/rules/shared-with.ts). After the commit, the letter goes to the receiver's HIS
 * as ORU^R01 when its AGB code has an HL7 v2 destination.
 */
export function refer(deps: ReferDeps) {
  return async (ctx: RestContext, id: string, req: FhirRequest): Promise<FhirResult> => {
    const lang = ctx.language;
    const p = readParameters(req.body, lang, '$refer');
    const body = req.body as { parameter?: Json[] } | undefined;
    if (p.count('function') && !p.reference('function')) {
      refuse(lang, 400, 'invalid', {
        en: "Parameter 'function' is a valueReference to one of your PractitionerRoles",
        nl: "Parameter 'function' is een valueReference naar een van uw PractitionerRoles",
      });
    }
    // What the app may do: the SMART scopes of the caller's token, for every type written.
    const notAllowed = WRITTEN.filter((t) => !ctx.store.access.allows('c', t));
    if (notAllowed.length) {
      refuse(lang, 403, 'forbidden', {
        en: `This app may not create ${notAllowed.join(', ')}: a referral writes them`,
        nl: `Deze app mag geen ${notAllowed.join(', ')} aanmaken: een verwijzing schrijft die`,
      });
    }
    const referrer = await referringFunction(ctx, p.reference('function'));
    const offering = JSON.parse((await loadCurrent(ctx, 'HealthcareService', id)).content!) as Json;
    if (offering.active === false) {
      refuse(lang, 409, 'business-rule', {
        en: `HealthcareService/${id} is not offered now (active = false)`,
        nl: `HealthcareService/${id} wordt nu niet aangeboden (active = false)`,
      });
    }
    const receiver = await readAs(ctx, offering.providedBy as Ref, ['Organization']);
    if (!receiver) {
      refuse(lang, 422, 'business-rule', {
        en: `HealthcareService/${id} names no provider (providedBy an Organization): there is no one to refer to`,
        nl: `HealthcareService/${id} noemt geen aanbieder (providedBy een Organization): er is niemand om naar te verwijzen`,
      });
    }
    const diagnostics = ((offering.category ?? []) as { coding?: Json[] }[]).some((c) =>
      (c.coding ?? []).some((k) => k.system === OFFERING_KIND_SYSTEM && k.code === 'diagnostics'),
    );
    const canonical = questionnaireOf(offering);
    const questionnaire = canonical
      ? await questionnaireAt(ctx, canonical, receiver.id as string)
      : undefined;
    const response = (body?.parameter ?? []).find((x) => x.name === 'answers')?.resource as Json | undefined;
    const given = answersFrom(
      response,
      (body?.parameter ?? []).filter((x) => x.name === 'answer').map((x) => (x.part ?? []) as Json[]),
    );
    const items = checkAnswers(lang, questionnaire, given);
    const patientIn = patientInput(ctx, p);
    const informed = contact(lang, p.string('email'), p.string('mobile'));
    const reasons = reasonCodes(lang, body);
    const sections = letterSections(lang, body);
    const files = attachments(lang, body, deps.attachmentMaxBytes);
    const receiverId = receiver.id as string;
    const referrerOrganizationId = referrer.organization.id as string;
    const { patient, created } = await referredPatient(
      ctx,
      patientIn,
      {
        organizationId: referrerOrganizationId,
        meta: metaFor({ referrerOrganizationId, receiverId }, false),
      },
      informed,
    );
    if (created && !ctx.store.access.allows('c', 'Patient')) {
      refuse(lang, 403, 'forbidden', {
        en: 'This app may not create a Patient: the referral needs a record of the patient',
        nl: 'Deze app mag geen Patient aanmaken: de verwijzing heeft een dossier van de patiënt nodig',
      });
    }

    const at = new Date().toISOString();
    const ids: ReferralIds = {
      patient: patient.id as string,
      serviceRequest: randomUUID(),
      task: randomUUID(),
      ...(questionnaire ? { questionnaireResponse: randomUUID() } : {}),
      composition: randomUUID(),
      letter: randomUUID(),
      attachments: files.map(() => randomUUID()),
      communications: {
        ...(informed.email ? { email: randomUUID() } : {}),
        ...(informed.mobile ? { sms: randomUUID() } : {}),
      },
    };
    const referrerName =
      nameOf(referrer.practitioner) || `Practitioner/${referrer.practitioner.id as string}`;
    const facts: ReferralFacts = {
      at,
      diagnostics,
      offering,
      receiverId,
      referrerOrganizationId,
      roleId: referrer.role.id as string,
      roleDisplay: referrerName,
      reasons,
      number: `VW-${at.slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex').toUpperCase()}`,
    };
    const letter: LetterFacts = {
      diagnostics,
      at,
      patient,
      referrer,
      receiver,
      offering,
      reasons,
      sections,
      answers: flatAnswers(items),
      attachments: files,
    };
    const pdf = await letterPdf(letterContent(letter));
    const notice: Notice = {
      diagnostics,
      at,
      offering,
      receiver,
      referrerName,
      referrerOrganization: referrer.organization,
    };
    const mail = informed.email ? noticeMail(informed.email, notice) : undefined;
    const sms = informed.mobile ? noticeSms(notice) : undefined;
    const first: Json[] = [
      ...(created ? [patient] : []),
      serviceRequest(facts, ids),
      task(facts, ids),
      ...(questionnaire ? [questionnaireResponse(facts, ids, canonical!, items)] : []),
      composition(
        letter,
        { ...ids, role: facts.roleId, organization: referrerOrganizationId },
        metaFor(facts, true),
      ),
      documentReference(facts, ids, {
        id: ids.letter,
        letter: true,
        contentType: 'application/pdf',
        data: pdf.toString('base64'),
        title: diagnostics ? 'Aanvraag diagnostiek' : 'Verwijsbrief',
        size: pdf.length,
      }),
    ];
    const told: Json[] = [
      ...(mail && ids.communications.email
        ? [
            communication(facts, ids, {
              id: ids.communications.email,
              medium: 'EMAILWRIT',
              to: mail.to,
              text: mail.text,
            }),
          ]
        : []),
      ...(sms && ids.communications.sms
        ? [
            communication(facts, ids, {
              id: ids.communications.sms,
              medium: 'SMSWRIT',
              to: informed.mobile!,
              text: sms,
            }),
          ]
        : []),
    ];
    const insert = (resources: Json[]) =>
      resources.map((r) => ({
        resourceType: r.resourceType as string,
        id: r.id as string,
        resource: r as Resource,
      }));

    // One transaction: the records, each file as it is checked and stored, what the patient is
    // told and the messages in the outbox. A file that fails its check leaves nothing behind.
    await ctx.store.transaction(async (_s, raw) => {
      const writer = ctx.store.onBehalf(raw);
      await writer.insertNew(insert(first));
      for (const [i, file] of files.entries()) {
        checkFile(lang, file);
        await writer.insertNew(insert([attachmentDocument(facts, ids, ids.attachments[i]!, file)]));
      }
      if (told.length) await writer.insertNew(insert(told));
      if (mail) await deps.mailer.send(raw.jobs, mail);
      if (sms) await deps.sms.send(raw.jobs, { to: informed.mobile!, text: sms });
    });

    const delivery = await deliver(ctx, deps, receiver, ids);
    return {
      status: 201,
      headers: {},
      resource: {
        resourceType: 'Parameters',
        parameter: [
          param('serviceRequest', reference('ServiceRequest', ids.serviceRequest)),
          param('task', reference('Task', ids.task)),
          param('patient', reference('Patient', ids.patient)),
          param('patientCreated', { valueBoolean: created }),
          ...(ids.questionnaireResponse
            ? [param('questionnaireResponse', reference('QuestionnaireResponse', ids.questionnaireResponse))]
            : []),
          param('composition', reference('Composition', ids.composition)),
          param('letter', reference('DocumentReference', ids.letter)),
          ...ids.attachments.map((a) => param('attachment', reference('DocumentReference', a))),
          ...told.map((c) => param('communication', reference('Communication', c.id as string))),
          ...(mail
            ? [
                param('informed', {
                  part: [param('medium', { valueCode: 'email' }), param('to', { valueString: mail.to })],
                }),
              ]
            : []),
          ...(sms
            ? [
                param('informed', {
                  part: [
                    param('medium', { valueCode: 'sms' }),
                    param('to', { valueString: informed.mobile! }),
                  ],
                }),
              ]
            : []),
          param('delivery', { part: delivery }),
        ],
      } as Resource,
    };
  };
}

/**
 * The offering's Questionnaire by its canonical (`url` or `url|version`): the active one, and of
 * several active ones the one its provider publishes (custodian tag); more is a conflict.
 */
async function questionnaireAt(ctx: RestContext, canonical: string, provider: string): Promise<Json> {
  const [url, version] = canonical.split('|');
  const found = (
    await searchAll(ctx, { resourceType: 'Questionnaire' }, [
      ['url', url!],
      ...(version ? ([['version', version]] as [string, string][]) : []),
    ])
  ).map((v) => JSON.parse(v.content!) as Json);
  const active = found.filter((q) => q.status === 'active');
  const own = active.filter((q) => custodianOf(q as Resource) === provider);
  if (active.length > 1 && own.length !== 1) {
    const ids = active.map((q) => `Questionnaire/${q.id as string}`).join(', ');
    refuse(ctx.language, 409, 'conflict', {
      en: `The offering's questions (${canonical}) are ambiguous: ${ids} are all active with that url and ${own.length ? 'several are' : 'none is'} published by its provider Organization/${provider}`,
      nl: `De vragen van het zorgaanbod (${canonical}) zijn niet eenduidig: ${ids} zijn alle actief met die url en ${own.length ? 'meerdere zijn' : 'geen is'} gepubliceerd door de aanbieder Organization/${provider}`,
    });
  }
  const questionnaire = (active.length > 1 ? own[0] : active[0]) ?? found[0];
  if (!questionnaire) {
    refuse(ctx.language, 422, 'business-rule', {
      en: `The offering's questions (Questionnaire ${canonical}) are not on this server; its provider publishes them`,
      nl: `De vragen van het zorgaanbod (Questionnaire ${canonical}) staan niet op deze server; de aanbieder publiceert ze`,
    });
  }
  return questionnaire;
}

/** The answered questions in the order asked, for the letter. */
function flatAnswers(items: Json[]): LetterFacts['answers'] {
  return items.flatMap((i) =>
    i.answer
      ? [
          {
            text: (i.text as string | undefined) ?? (i.linkId as string),
            values: i.answer as LetterFacts['answers'][0]['values'],
          },
        ]
      : flatAnswers((i.item ?? []) as Json[]),
  );
}

/**
 * The letter to the receiver's HIS over HL7 v2 (ORU^R01, the PDF in OBX-5), when its AGB code
 * has a destination. Asked as the caller with the gate decided afresh: the commit just related
 * them to the patient. The referral stands whatever happens here; the answer says how it went.
 */
async function deliver(ctx: RestContext, deps: ReferDeps, receiver: Json, ids: ReferralIds): Promise<Json[]> {
  if (!hasHl7Destination(deps, receiver)) {
    return [
      param('channel', { valueCode: 'none' }),
      param('status', { valueCode: 'not-sent' }),
      param('reason', {
        valueString:
          'The provider has no HL7 v2 destination: it reads the referral here (FHIR) / De aanbieder heeft geen HL7 v2-bestemming: die leest de verwijzing hier (FHIR)',
      }),
    ];
  }
  try {
    const fresh: RestContext = { ...ctx, store: ctx.store.withAccess(await deps.accessFor(ctx.principal)) };
    const queued = await queueHl7(fresh, deps, ids.serviceRequest, {
      type: 'ORU^R01',
      document: `DocumentReference/${ids.letter}`,
    });
    return [
      param('channel', { valueCode: 'hl7v2' }),
      param('message', { valueCode: 'ORU^R01' }),
      param('status', { valueCode: 'queued' }),
      param('destination', { valueString: queued.destination }),
      param('controlId', { valueString: queued.controlId }),
    ];
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    return [
      param('channel', { valueCode: 'hl7v2' }),
      param('status', { valueCode: 'failed' }),
      param('reason', { valueString: err.message }),
    ];
  }
}
