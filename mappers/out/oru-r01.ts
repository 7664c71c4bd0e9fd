import { ce, dtm, pid, xcn, xon } from './fhir-types.ts';
import { msh, placerOrderNumber, type Envelope, type ReferralContent } from './envelope.ts';
import { message, segment, type Field } from './writer.ts';

type Json = Record<string, unknown>;
type Attachment = { contentType?: string; data?: string; title?: string; creation?: string };

/** LOINC 57133-1 Referral note: what a referral letter is, when the document names no type. */
const REFERRAL_NOTE = { coding: [{ system: 'http://loinc.org', code: '57133-1', display: 'Referral note' }] };

/** HL7 table 0191 (type of referenced data) for a MIME type's major part. */
const DATA_TYPE: Record<string, string> = { application: 'AP', image: 'IM', text: 'TX', audio: 'AU' };

export class OutboundMappingError extends Error {}

/**
 * A referral letter (a DocumentReference with the document inline) as `ORU^R01` v2.4, the way
 * Dutch HIS interfaces take a referral: the patient (PID), the order as the referrer placed it
 * (ORC/OBR, the referrer and their organisation with AGB codes) and the letter as one ED value
 * (OBX-5: `^AP^PDF^Base64^…`).
 *
 * | segment/field | from |
 * |---|---|
 * | MSH-4 / MSH-6 | AGB of the requester's / the performer's Organization (HD `agb^2.16.840.1.113883.2.4.6.1^ISO`) |
 * | PID-3, 5, 7, 8, 11 | Patient.identifier (BSN, patient numbers), name, birthDate, gender, address |
 * | ORC-1 | `RE` (observations to follow) |
 * | ORC-2, OBR-2 | ServiceRequest.identifier[0] (else its id) |
 * | ORC-12, OBR-16 | the requester: AGB ^ family ^ given ^…^ VEKTIS |
 * | ORC-21 | the requester's Organization: name ^^ AGB ^^^ VEKTIS |
 * | OBR-4 | ServiceRequest.code |
 * | OBR-7, OBX-14 | DocumentReference.date (else the attachment's creation) |
 * | OBR-25, OBX-11 | `F` |
 * | OBX-3 | DocumentReference.type (else LOINC 57133-1) |
 * | OBX-5 | content[0].attachment: `^AP^PDF^Base64^data` |
 */
export function writeOruR01(e: Envelope, c: ReferralContent & { document: Json }): string {
  const attachment = ((c.document.content ?? []) as { attachment?: Attachment }[])[0]?.attachment;
  if (!attachment?.data) {
    throw new OutboundMappingError(
      `DocumentReference/${c.document.id as string} holds no document inline (content[0].attachment.data)`,
    );
  }
  const [major = 'application', subtype = 'octet-stream'] = (attachment.contentType ?? '').split(/[/;]/);
  const when = dtm((c.document.date as string | undefined) ?? attachment.creation) ?? dtm(e.at);
  const placer = placerOrderNumber(c.serviceRequest);
  const type = (c.document.type as Json | undefined) ?? REFERRAL_NOTE;
  const code = (ce(type) ?? ce(REFERRAL_NOTE)) as string[];
  const title = attachment.title ?? (c.document.description as string | undefined) ?? code[1];
  const orc: Field[] = ['RE', placer];
  orc[8] = dtm(e.at);
  orc[11] = xcn(c.requester);
  orc[20] = xon(c.requesterOrganization);
  const obr: Field[] = ['1', placer, undefined, ce(c.serviceRequest.code as Json) ?? code];
  obr[6] = when;
  obr[15] = xcn(c.requester);
  obr[21] = dtm(e.at);
  obr[24] = 'F';
  const obx: Field[] = [
    '1',
    'ED',
    [code[0], title, code[2]],
    undefined,
    [
      undefined,
      DATA_TYPE[major.trim().toLowerCase()] ?? 'AP',
      subtype.trim().toUpperCase(),
      'Base64',
      // base64Binary may hold whitespace; a receiver's strict decoder may not take it.
      attachment.data.replace(/\s+/g, ''),
    ],
  ];
  obx[10] = 'F';
  obx[13] = when;
  return message([
    msh(e, c, ['ORU', 'R01', 'ORU_R01']),
    pid(c.patient),
    segment('ORC', ...orc),
    segment('OBR', ...obr),
    segment('OBX', ...obx),
  ]);
}
