import { entry, identifierQuery, stableUuid, type MapContext, type TransactionBundle } from '../bundle.ts';
import { patientEntry as patientEntryOf } from '../patient-entry.ts';
import { codeableConcept } from '../hl7/coded.ts';
import { hl7DateTime } from '../hl7/datetime.ts';
import { Hl7Error, UnsupportedMessageError, type Hl7 } from '../hl7/message.ts';
import { compact, identifier, localSystem, practitionerRef } from '../hl7/types.ts';
import { observationValue } from '../oru/values.ts';

type Json = Record<string, unknown>;
type Identifier = { system?: string; value?: string };

/** The MDM trigger events mapped: what each does to the document. */
const TRIGGERS: Record<string, string> = {
  T02: 'original document notification and content',
  T04: 'document status change notification and content',
  T08: 'document edit notification and content',
  T11: 'document cancel notification',
};

/** TXA-17 (table 0271) → DocumentReference.docStatus. */
const COMPLETION: Record<string, string> = {
  DI: 'preliminary',
  DO: 'preliminary',
  IP: 'preliminary',
  IN: 'preliminary',
  PA: 'preliminary',
  AU: 'final',
  LA: 'final',
};

/** TXA-19 (table 0275) → DocumentReference.status. */
const AVAILABILITY: Record<string, string> = {
  AV: 'current',
  OB: 'superseded',
  CA: 'entered-in-error',
  UN: 'current',
};

/**
 * `MDM^T02/T04/T08/T11` → a DocumentReference with the document inline (a PDF or image from an ED
 * OBX, or the text of TX/FT OBX lines), for the patient of PID. Inline, not as a Binary: a
 * Binary belongs to no patient's record, so the gate would show it to no one but trusted
 * systems. The document is known by its unique number (TXA-12): an edit (T08) or a status
 * change (T04) updates it, a cancel (T11) marks it entered-in-error.
 *
 * | v2       | FHIR                                                                  |
 * | -------- | --------------------------------------------------------------------- |
 * | TXA-12   | masterIdentifier and identifier: the document's unique number          |
 * | TXA-2    | type (table 0270: DS discharge summary, CN consult note, …)           |
 * | TXA-4/6  | date (activity, else origination time)                                |
 * | TXA-9    | author (by AGB/UZI/BIG)                                               |
 * | TXA-17   | docStatus (DI/DO/IP/IN preliminary, AU/LA final; T08 amended)          |
 * | TXA-19   | status (AV current, OB superseded, CA entered-in-error)               |
 * | OBX-5    | content: ED (Base64) as the attachment, TX/FT lines as text/plain      |
 * | MSH-4    | custodian: the sending organisation (set when applied)               |
 */
export function mapMdm(m: Hl7, context: MapContext): TransactionBundle {
  const trigger = m.value('MSH', 9, 2) || m.value('EVN', 1);
  if (!TRIGGERS[trigger]) {
    throw new UnsupportedMessageError(
      'MSH',
      9,
      `MDM^${trigger} is not mapped (supported: ${Object.keys(TRIGGERS).join(', ')})`,
      '201',
    );
  }
  const facility = m.sender.facility || m.sender.application;
  const seed = `${facility}|${m.controlId}`;
  const txa = m.required('TXA');
  const number = m.value(txa, 12);
  if (!number) throw new Hl7Error('TXA', 12, 'TXA-12 (the unique document number) is required');
  const authority = m.value(txa, 12, 2);
  const docId = identifier(
    number,
    authority,
    '',
    localSystem('document-number', authority || facility),
  ) as Identifier;

  const { entry: patientEntry } = patientEntryOf(m, facility, seed, 'ensure');

  if (trigger === 'T11') {
    // A cancel carries no content: the document is marked, not replaced.
    return {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: `urn:uuid:${stableUuid(seed, 'cancel', docId.system ?? '', docId.value ?? '')}`,
          resource: {
            resourceType: 'Parameters',
            parameter: [
              {
                name: 'operation',
                part: [
                  { name: 'type', valueCode: 'replace' },
                  { name: 'path', valueString: 'DocumentReference.status' },
                  { name: 'value', valueCode: 'entered-in-error' },
                ],
              },
            ],
          },
          request: { method: 'PATCH', url: `DocumentReference?${identifierQuery([docId])}` },
        },
      ],
    };
  }

  const content: Json[] = [];
  const lines: string[] = [];
  for (const obx of m.all('OBX')) {
    const type = m.value(obx, 2).toUpperCase();
    if (type === 'TX' || type === 'FT' || type === 'ST') {
      const value = observationValue(m, obx, facility).value as { valueString?: string } | undefined;
      if (value?.valueString !== undefined) lines.push(value.valueString);
      continue;
    }
    const { presentedForm } = observationValue(m, obx, facility);
    if (presentedForm) content.push({ attachment: compact(presentedForm) });
  }
  if (lines.length) {
    content.unshift({
      attachment: {
        contentType: 'text/plain; charset=utf-8',
        data: Buffer.from(lines.join('\n'), 'utf8').toString('base64'),
      },
    });
  }
  if (!content.length)
    throw new Hl7Error('OBX', 5, 'an MDM with content holds the document in OBX-5 (ED, or TX/FT lines)');
  const type = codeableConcept(m, txa, 2, facility);
  const date = hl7DateTime(m.value(txa, 4) || m.value(txa, 6), { segment: 'TXA', field: 4 });
  const author = practitionerRef(m, txa, 9, facility);
  const document = compact({
    resourceType: 'DocumentReference',
    masterIdentifier: docId,
    identifier: [docId],
    status: AVAILABILITY[m.value(txa, 19).toUpperCase()] ?? 'current',
    docStatus: trigger === 'T08' ? 'amended' : COMPLETION[m.value(txa, 17).toUpperCase()],
    // A code without a coding system is one of HL7 table 0270 (DS, CN, …).
    type:
      type && !m.value(txa, 2, 3)
        ? {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0270', code: m.value(txa, 2, 1) }],
            ...(type.text ? { text: type.text } : {}),
          }
        : type,
    subject: { reference: patientEntry.fullUrl },
    // An instant has a time: a date-only TXA-4 is left out rather than invented.
    date: date && date.includes('T') ? date : undefined,
    author: author ? [author] : undefined,
    custodian: context.organization ? { reference: context.organization } : undefined,
    description: m.value(txa, 16) || undefined,
    content,
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [patientEntry, entry(seed, 'DocumentReference', document, docId)],
  };
}
