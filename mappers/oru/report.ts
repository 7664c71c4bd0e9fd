import type { Hl7Segment } from '@medplum/core';
import { codeableConcept } from '../hl7/coded.ts';
import { hl7DateTime } from '../hl7/datetime.ts';
import { Hl7Error, type Hl7 } from '../hl7/message.ts';
import { compact, identifier, localSystem } from '../hl7/types.ts';

type Json = Record<string, unknown>;

/** OBR-25 (table 0123) → DiagnosticReport.status. */
const REPORT_STATUS: Record<string, string> = {
  F: 'final',
  C: 'corrected',
  P: 'preliminary',
  R: 'preliminary',
  A: 'partial',
  I: 'registered',
  O: 'registered',
  S: 'registered',
  X: 'cancelled',
};

/** The filler order number (OBR-3), else the placer's (OBR-2): what the report is known by. */
export function orderNumber(m: Hl7, obr: Hl7Segment): { value: string; authority: string } {
  for (const field of [3, 2]) {
    const value = m.value(obr, field);
    if (value) return { value, authority: m.value(obr, field, 2) };
  }
  throw new Hl7Error('OBR', 3, 'OBR-3 (filler order number) or OBR-2 (placer order number) is required');
}

/**
 * OBR → DiagnosticReport.
 *
 * | v2       | FHIR                                                          |
 * | -------- | ------------------------------------------------------------- |
 * | OBR-3/2  | identifier (the report is found by it: a correction updates it) |
 * | OBR-4    | code                                                          |
 * | OBR-7    | effectiveDateTime (also each result's, unless OBX-14 says)     |
 * | OBR-22   | issued                                                        |
 * | OBR-25   | status                                                        |
 * | MSH-4    | performer: the sending laboratory (set when applied)          |
 */
export function mapReport(m: Hl7, obr: Hl7Segment, facility: string): Json {
  const order = orderNumber(m, obr);
  const code = codeableConcept(m, obr, 4, facility);
  if (!code) throw new Hl7Error('OBR', 4, 'OBR-4 (the test ordered) is required');
  const issued = hl7DateTime(m.value(obr, 22), { segment: 'OBR', field: 22 });
  return compact({
    resourceType: 'DiagnosticReport',
    identifier: [
      identifier(
        order.value,
        order.authority,
        'FILL',
        localSystem('order-number', order.authority || facility),
      ),
    ],
    status: REPORT_STATUS[m.value(obr, 25).toUpperCase()] ?? 'final',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' },
        ],
      },
    ],
    code,
    effectiveDateTime: hl7DateTime(m.value(obr, 7), { segment: 'OBR', field: 7 }),
    // An instant has a time: a date-only OBR-22 is left out rather than invented.
    issued: issued && issued.includes('T') ? issued : undefined,
  });
}
