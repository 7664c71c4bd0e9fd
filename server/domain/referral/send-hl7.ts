import { randomBytes } from 'node:crypto';
import { encodeMessage } from '../../../mappers/hl7/charset.ts';
import { agbOf } from '../../../mappers/out/fhir-types.ts';
import {
  OUTBOUND_TYPES,
  OutboundMappingError,
  writeMessage,
  type OutboundType,
} from '../../../mappers/out/index.ts';
import type { Principal } from '../../auth/principal.ts';
import { executeSearch } from '../../fhir/search/execute.ts';
import { loadCurrent } from '../../fhir/rest/read.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import type { Hl7OutboxSender } from '../../hl7v2/outbox.ts';
import type { Hl7OutboundConfig } from '../../hl7v2/outbound-config.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { partiesOf, readAs } from './parties.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: string } | undefined;

export interface SendHl7Deps {
  outbound: Hl7OutboundConfig;
  outbox: Hl7OutboxSender;
}

/** MSH-10: unique, at most 20 characters, and telling nothing about the patient. */
const controlId = () =>
  `ZP${Date.now().toString(36).toUpperCase()}${randomBytes(4).toString('hex').toUpperCase()}`;

const who = (p: Principal) =>
  p.kind === 'system'
    ? `client/${p.clientId}`
    : p.kind === 'practitioner'
      ? `Practitioner/${p.practitionerId}`
      : p.kind === 'anonymous'
        ? 'anonymous'
        : p.kind;

/**
 * `POST ServiceRequest/[id]/$send-hl7`: the referral to its receiver's HIS as HL7 v2.4 —
 * `ORU^R01` with the letter as a PDF, `SRM^S01` asking for an appointment, `SRM^S04`
 * withdrawing that request — through the durable outbox to the destination configured for the
 * receiving organisation's AGB code (HL7_DESTINATIONS). For whoever may change the referral
 * (its requesting side); everything in the message is read as them, through the gate, and the
 * disclosure is in the patient's access log. Answers the queued message; its delivery shows in
 * the message log (`$hl7-messages`).
 */
export function sendHl7(deps: SendHl7Deps) {
  return async (ctx: RestContext, id: string, req: FhirRequest): Promise<FhirResult> => {
    const p = readParameters(req.body, ctx.language, '$send-hl7');
    const type = p.string('message') as OutboundType | undefined;
    if (!type || !OUTBOUND_TYPES.includes(type)) {
      refuse(ctx.language, 400, 'required', {
        en: `Parameter 'message' names what to send: ${OUTBOUND_TYPES.join(', ')}`,
        nl: `Parameter 'message' zegt wat er verstuurd wordt: ${OUTBOUND_TYPES.join(', ')}`,
      });
    }
    const current = await loadCurrent(ctx, 'ServiceRequest', id);
    // Sending it on is for the referral's own side: whoever may change it.
    ctx.store.assertReplaceable(current, false);
    const serviceRequest = JSON.parse(current.content!) as Json;
    const patient = await readAs(ctx, serviceRequest.subject as Ref, ['Patient']);
    if (!patient) {
      refuse(ctx.language, 422, 'business-rule', {
        en: `ServiceRequest/${id} is not about a patient whose record you may read`,
        nl: `ServiceRequest/${id} gaat niet over een patiënt wiens dossier u mag inzien`,
      });
    }
    const parties = await partiesOf(ctx, serviceRequest);
    const receiver = parties.receiverOrganization;
    if (!receiver) {
      refuse(ctx.language, 422, 'business-rule', {
        en: `ServiceRequest/${id} names no receiving organisation (performer): nobody to send it to`,
        nl: `ServiceRequest/${id} noemt geen ontvangende organisatie (performer): er is niemand om het naar te sturen`,
      });
    }
    const agb = agbOf(receiver);
    const destination = agb ? deps.outbound.destinations.get(agb) : undefined;
    if (!agb || !destination) {
      const name = (receiver.name as string | undefined) ?? `Organization/${receiver.id as string}`;
      refuse(ctx.language, 422, 'business-rule', {
        en: agb
          ? `${name} (AGB ${agb}) has no HL7 v2 destination; the operator adds it to HL7_DESTINATIONS`
          : `${name} has no AGB code: an HL7 v2 destination is found by it`,
        nl: agb
          ? `${name} (AGB ${agb}) heeft geen HL7 v2-bestemming; de beheerder voegt die toe aan HL7_DESTINATIONS`
          : `${name} heeft geen AGB-code: een HL7 v2-bestemming wordt daarmee gevonden`,
      });
    }
    const subject = `Patient/${patient.id as string}`;
    const document =
      type === 'ORU^R01' ? await letterOf(ctx, id, subject, p.reference('document')) : undefined;
    const appointment =
      type === 'ORU^R01' ? undefined : await appointmentOf(ctx, id, p.reference('appointment'));
    const reason = p.string('reason');
    const envelope = {
      controlId: controlId(),
      at: new Date().toISOString(),
      application: deps.outbound.application,
      ...(destination.application ? { receivingApplication: destination.application } : {}),
      processingId: deps.outbound.processingId,
    };
    let text: string;
    try {
      text = writeMessage(type, envelope, {
        patient,
        serviceRequest,
        ...parties,
        ...(document ? { document } : {}),
        ...(appointment ? { appointment } : {}),
        ...(reason ? { reason } : {}),
      });
    } catch (err) {
      if (!(err instanceof OutboundMappingError)) throw err;
      refuse(ctx.language, 422, 'business-rule', {
        en: `${type} cannot be made: ${err.message}`,
        nl: `${type} kan niet gemaakt worden: ${err.message}`,
      });
    }
    const sent = [
      patient,
      serviceRequest,
      ...(document ? [document] : []),
      ...(appointment ? [appointment] : []),
    ];
    const messageId = await ctx.store.transaction((_store, tx) =>
      deps.outbox.enqueue(tx.hl7Outbox, {
        destination: agb,
        sender: deps.outbound.application,
        controlId: envelope.controlId,
        messageType: type,
        raw: encodeMessage(text, 'UNICODE UTF-8'),
        resources: sent.map((r) => `${r.resourceType as string}/${r.id as string}`),
        requestedBy: who(ctx.principal),
      }),
    );
    deps.outbox.wake();
    // What leaves the server about the patient is in their access log, like a read.
    ctx.audit?.record({
      interaction: '$send-hl7',
      resourceType: 'ServiceRequest',
      id,
      status: 200,
      resources: sent as Resource[],
    });
    return {
      status: 200,
      headers: {},
      resource: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'message', valueString: messageId },
          { name: 'controlId', valueString: envelope.controlId },
          { name: 'destination', valueString: agb },
          { name: 'status', valueCode: 'queued' },
        ],
      } as Resource,
    };
  };
}

/** The letter: the DocumentReference named, else the newest of the referral's with the document inline. */
async function letterOf(
  ctx: RestContext,
  id: string,
  subject: string,
  named: string | undefined,
): Promise<Json> {
  const candidates = named
    ? [await readAs(ctx, { reference: named }, ['DocumentReference'])].filter((d): d is Json => Boolean(d))
    : await searchAs(ctx, 'DocumentReference', [
        ['related', `ServiceRequest/${id}`],
        ['_sort', '-date'],
      ]);
  const letter = candidates.find(
    (d) =>
      (d.subject as Ref)?.reference === subject &&
      ((d.content ?? []) as { attachment?: { data?: string } }[])[0]?.attachment?.data,
  );
  if (!letter) {
    refuse(ctx.language, 422, 'business-rule', {
      en: named
        ? `${named} is not a document you may read about this referral's patient, with the document inline`
        : `ServiceRequest/${id} has no letter: a DocumentReference with context.related = ServiceRequest/${id}, about its patient, with the document inline (or name one in 'document')`,
      nl: named
        ? `${named} is geen document over de patiënt van deze verwijzing dat u mag inzien, met het document erin`
        : `ServiceRequest/${id} heeft geen brief: een DocumentReference met context.related = ServiceRequest/${id}, over de patiënt, met het document erin (of noem er een in 'document')`,
    });
  }
  return letter;
}

/** The proposed appointment: the one named (based on this referral), else the newest based on it, if any. */
async function appointmentOf(
  ctx: RestContext,
  id: string,
  named: string | undefined,
): Promise<Json | undefined> {
  const basedOnThis = (a: Json) =>
    ((a.basedOn ?? []) as Ref[]).some((r) => r?.reference === `ServiceRequest/${id}`);
  if (!named) {
    return (
      await searchAs(ctx, 'Appointment', [
        ['based-on', `ServiceRequest/${id}`],
        ['_sort', '-_lastUpdated'],
      ])
    ).find(basedOnThis);
  }
  const appointment = await readAs(ctx, { reference: named }, ['Appointment']);
  if (!appointment || !basedOnThis(appointment)) {
    refuse(ctx.language, 422, 'business-rule', {
      en: `${named} is not an appointment you may read based on ServiceRequest/${id}`,
      nl: `${named} is geen afspraak die u mag inzien en die gebaseerd is op ServiceRequest/${id}`,
    });
  }
  return appointment;
}

/** The first page of a search, as the caller. */
async function searchAs(ctx: RestContext, resourceType: string, params: [string, string][]): Promise<Json[]> {
  const plan = ctx.search.plan({
    resourceType,
    params: [...params, ['_count', '20']],
    strict: true,
    baseUrl: ctx.baseUrl,
    limits: ctx.limits,
  });
  const page = await executeSearch(ctx.store.search, ctx.search.registry, plan, {
    maxIncludes: ctx.limits.maxIncludes,
  });
  return page.matches.map((v) => JSON.parse(v.content ?? '{}') as Json);
}
