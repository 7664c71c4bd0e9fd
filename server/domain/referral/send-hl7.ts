import { randomBytes } from 'node:crypto';
import { encodeMessage } from '../../../mappers/hl7/charset.ts';
import { agbOf } from '../../../mappers/out/fhir-types.ts';
import {
  OUTBOUND_TYPES,
  OutboundMappingError,
  writeMessage,
  type OutboundType,
} from '../../../mappers/out/index.ts';
import type { AccessPolicy } from '../../access/policy.ts';
import { principalLabel, type Principal } from '../../auth/principal.ts';
import { loadCurrent } from '../../fhir/rest/read.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import type { Hl7OutboxSender } from '../../hl7v2/outbox.ts';
import type { Hl7OutboundConfig } from '../../hl7v2/outbound-config.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { partiesOf, readAs } from './parties.ts';
import { appointmentOf, letterOf, rolesOf } from './referral-content.ts';
import { assertReceiverMaySee, assertReferrerSide, receiverPrincipal } from './who-may-send.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: string } | undefined;

export interface SendHl7Deps {
  outbound: Hl7OutboundConfig;
  outbox: Hl7OutboxSender;
  /** The gate's policy for a principal (the receiving organisation's, here). */
  accessFor: (principal: Principal) => Promise<AccessPolicy>;
}

/** MSH-10: unique, at most 20 characters, and telling nothing about the patient. */
const controlId = () =>
  `ZP${Date.now().toString(36).toUpperCase()}${randomBytes(4).toString('hex').toUpperCase()}`;

/** A referral that is still open: only then does it go (its withdrawal, S04, goes any time). */
const OPEN = new Set(['active', 'on-hold']);

/** What to queue: the message type and, as `$send-hl7` takes them, what goes in it. */
export interface Hl7Request {
  type: OutboundType;
  /** ORU^R01: the letter (a DocumentReference), else the newest of the referral's. */
  document?: string;
  /** SRM: the proposed Appointment, else the newest based on the referral. */
  appointment?: string;
  /** SRM^S04: why the request is withdrawn. */
  reason?: string;
}

/** What was queued. */
export interface Hl7Queued {
  controlId: string;
  destination: string;
}

/**
 * `POST ServiceRequest/[id]/$send-hl7`: the referral to its receiver's HIS as HL7 v2.4 —
 * `ORU^R01` with the letter as a PDF, `SRM^S01` asking for an appointment, `SRM^S04`
 * withdrawing a request sent before — through the durable outbox (`queueHl7`).
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
    for (const name of ['document', 'appointment']) {
      if (p.strings(name).length && !p.reference(name)) {
        refuse(ctx.language, 400, 'invalid', {
          en: `Parameter '${name}' is a valueReference (e.g. {"reference": "DocumentReference/1"})`,
          nl: `Parameter '${name}' is een valueReference (bijv. {"reference": "DocumentReference/1"})`,
        });
      }
    }
    const queued = await queueHl7(ctx, deps, id, {
      type,
      ...(p.reference('document') ? { document: p.reference('document')! } : {}),
      ...(p.reference('appointment') ? { appointment: p.reference('appointment')! } : {}),
      ...(p.string('reason') ? { reason: p.string('reason')! } : {}),
    });
    return {
      status: 200,
      headers: {},
      resource: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'controlId', valueString: queued.controlId },
          { name: 'destination', valueString: queued.destination },
          { name: 'status', valueCode: 'queued' },
        ],
      } as Resource,
    };
  };
}

/** Whether the receiving organisation's AGB code has an HL7 v2 destination (HL7_DESTINATIONS). */
export const hasHl7Destination = (deps: Pick<SendHl7Deps, 'outbound'>, receiver: Json): boolean => {
  const agb = agbOf(receiver);
  return agb !== undefined && deps.outbound.destinations.has(agb);
};

/**
 * Queues one HL7 v2.4 message of ServiceRequest/`id` for its receiving organisation's HIS,
 * through the durable outbox to the destination configured for its AGB code (HL7_DESTINATIONS).
 * Sent by the referrer's side; everything in it is read as the caller, through the gate, and
 * must be what the receiver may see too (relationship ∧ consent, judged for the receiving
 * organisation). The disclosure is in the patient's access log before it is queued. Used by
 * `$send-hl7` and, after its commit, by `$refer`.
 */
export async function queueHl7(
  ctx: RestContext,
  deps: SendHl7Deps,
  id: string,
  request: Hl7Request,
): Promise<Hl7Queued> {
  const { type } = request;
  const current = await loadCurrent(ctx, 'ServiceRequest', id);
  const serviceRequest = JSON.parse(current.content!) as Json;
  const parties = await partiesOf(ctx, serviceRequest, (practitioner) => rolesOf(ctx, practitioner));
  assertReferrerSide(ctx, id, parties);
  const status = serviceRequest.status as string;
  if (type !== 'SRM^S04' && !OPEN.has(status)) {
    refuse(ctx.language, 409, 'business-rule', {
      en: `ServiceRequest/${id} is ${status}: only an open referral (active, on-hold) is sent`,
      nl: `ServiceRequest/${id} is ${status}: alleen een open verwijzing (active, on-hold) wordt verstuurd`,
    });
  }
  const patient = await readAs(ctx, serviceRequest.subject as Ref, ['Patient']);
  if (!patient) {
    refuse(ctx.language, 422, 'business-rule', {
      en: `ServiceRequest/${id} is not about a patient whose record you may read`,
      nl: `ServiceRequest/${id} gaat niet over een patiënt wiens dossier u mag inzien`,
    });
  }
  const receiver = parties.receiverOrganization;
  if (!receiver) {
    refuse(ctx.language, 422, 'business-rule', {
      en: `ServiceRequest/${id} names no receiving organisation (performer): nobody to send it to`,
      nl: `ServiceRequest/${id} noemt geen ontvangende organisatie (performer): er is niemand om het naar te sturen`,
    });
  }
  const name = (receiver.name as string | undefined) ?? `Organization/${receiver.id as string}`;
  const agb = agbOf(receiver);
  const destination = agb ? deps.outbound.destinations.get(agb) : undefined;
  if (!agb || !destination) {
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
  const document = type === 'ORU^R01' ? await letterOf(ctx, id, subject, request.document) : undefined;
  const appointment =
    type === 'ORU^R01' ? undefined : await appointmentOf(ctx, id, subject, request.appointment);
  const sent = [
    patient,
    serviceRequest,
    ...(document ? [document] : []),
    ...(appointment ? [appointment] : []),
  ];
  const refs = sent.map((r) => `${r.resourceType as string}/${r.id as string}`);
  if (type === 'SRM^S04') {
    // A withdrawal names what the receiver was sent already, and nothing more.
    const asked = await ctx.store.transaction((_s, raw) =>
      raw.hl7.search({
        resource: `ServiceRequest/${id}`,
        destination: agb,
        messageType: 'SRM^S01',
        count: 1,
      }),
    );
    if (!asked.some((m) => m.status === 'sent' || m.status === 'queued')) {
      refuse(ctx.language, 409, 'business-rule', {
        en: `No appointment request (SRM^S01) of ServiceRequest/${id} went to ${name}: there is nothing to withdraw`,
        nl: `Er ging geen afspraakverzoek (SRM^S01) van ServiceRequest/${id} naar ${name}: er is niets in te trekken`,
      });
    }
  } else {
    assertReceiverMaySee(
      ctx,
      await deps.accessFor(receiverPrincipal(receiver.id as string, agb)),
      name,
      sent,
    );
  }
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
      ...(request.reason ? { reason: request.reason } : {}),
    });
  } catch (err) {
    if (!(err instanceof OutboundMappingError)) throw err;
    refuse(ctx.language, 422, 'business-rule', {
      en: `${type} cannot be made: ${err.message}`,
      nl: `${type} kan niet gemaakt worden: ${err.message}`,
    });
  }
  // In the patient's access log before it can leave: a log that cannot be written sends nothing.
  ctx.audit?.record({
    interaction: '$send-hl7',
    resourceType: 'ServiceRequest',
    id,
    query: `${type} to ${name} (AGB ${agb})`,
    status: 200,
    resources: sent as Resource[],
  });
  await ctx.audit?.commit();
  await ctx.store.transaction((_store, raw) =>
    raw.hl7Outbox.enqueue({
      destination: agb,
      sender: deps.outbound.application,
      controlId: envelope.controlId,
      messageType: type,
      raw: encodeMessage(text, 'UNICODE UTF-8'),
      resources: refs,
      requestedBy: principalLabel(ctx.principal),
    }),
  );
  deps.outbox.wake();
  return { controlId: envelope.controlId, destination: agb };
}
