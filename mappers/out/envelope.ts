import { AGB_OID, dtm } from './fhir-types.ts';
import { segment, type FieldValue } from './writer.ts';

type Json = Record<string, unknown>;

/** What every outbound message needs besides its content: who, to whom, when, which id. */
export interface Envelope {
  /** MSH-10: unique per message, kept in the message log. */
  controlId: string;
  /** MSH-7, a FHIR instant. */
  at: string;
  /** MSH-3: our application name. */
  application: string;
  /** MSH-5: the receiving system's application (the destination's configuration). */
  receivingApplication?: string;
  /** MSH-11: P (production), T (training), D (debugging). */
  processingId?: 'P' | 'T' | 'D';
}

/** The resources a referral message is made of (read by the caller through the gate). */
export interface ReferralContent {
  patient: Json;
  serviceRequest: Json;
  /** The referring practitioner (ServiceRequest.requester, or the PractitionerRole's practitioner). */
  requester?: Json;
  requesterOrganization?: Json;
  /** The receiving organisation (ServiceRequest.performer): its AGB is MSH-6. */
  receiverOrganization?: Json;
}

/** An organisation as an HD (MSH-4/6): its AGB code under the AGB OID, else its name. */
function facility(org: Json | undefined): FieldValue {
  const agb = ((org?.identifier ?? []) as { system?: string; value?: string }[]).find(
    (i) => i.system === 'http://fhir.nl/fhir/NamingSystem/agb-z',
  )?.value;
  return agb ? [agb, AGB_OID, 'ISO'] : (org?.name as string | undefined);
}

/** MSH of an outbound v2.4 message in UTF-8, original-mode acknowledgement. */
export function msh(e: Envelope, c: ReferralContent, type: [string, string, string]): string {
  return segment(
    'MSH',
    e.application,
    facility(c.requesterOrganization),
    e.receivingApplication,
    facility(c.receiverOrganization),
    dtm(e.at),
    undefined,
    type,
    e.controlId,
    e.processingId ?? 'P',
    '2.4',
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    'UNICODE UTF-8',
  );
}

/** ORC-2/OBR-2/ARQ-24: the ServiceRequest's first identifier, else its id in our namespace. */
export function placerOrderNumber(serviceRequest: Json): FieldValue {
  const id = ((serviceRequest.identifier ?? []) as { system?: string; value?: string }[])[0];
  return id?.value ? [id.value, 'ZORGPOORT'] : [serviceRequest.id as string, 'ZORGPOORT'];
}
