import type { Hl7Segment } from '@medplum/core';
import { codeableConcept } from '../hl7/coded.ts';
import { hl7DateTime } from '../hl7/datetime.ts';
import { Hl7Error, type Hl7 } from '../hl7/message.ts';
import { compact } from '../hl7/types.ts';
import { observationValue, referenceRange } from './values.ts';

type Json = Record<string, unknown>;

/** OBX-11 (table 0085) → Observation.status. */
export const OBSERVATION_STATUS: Record<string, string> = {
  F: 'final',
  C: 'corrected',
  P: 'preliminary',
  R: 'preliminary',
  S: 'preliminary',
  I: 'registered',
  X: 'cancelled',
  D: 'entered-in-error',
  W: 'entered-in-error',
};

const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const INTERPRETATIONS = new Set([
  'L',
  'H',
  'LL',
  'HH',
  '<',
  '>',
  'N',
  'A',
  'AA',
  'U',
  'D',
  'B',
  'W',
  'S',
  'R',
  'I',
  'NEG',
  'POS',
]);

/**
 * OBX → an nl-core-LaboratoryTestResult Observation.
 *
 * | v2        | FHIR                                                                              |
 * | --------- | --------------------------------------------------------------------------------- |
 * | OBX-3     | code (LOINC when OBX-3.3 is `LN`)                                                 |
 * | OBX-2, -5 | value[x] by value type: NM Quantity, ST/TX/FT string, CE/CWE CodeableConcept, SN Quantity with comparator, Range or Ratio, DT/TS dateTime; ED and RP go to the report's presentedForm |
 * | OBX-6     | the unit (UCUM when OBX-6.3 says `UCUM` or `ISO+`)                                |
 * | OBX-7     | referenceRange (`3.5-5.0`, `<10`, `>60`, text)                                    |
 * | OBX-8     | interpretation (table 0078 → v3 ObservationInterpretation)                        |
 * | OBX-11    | status (C: corrected — the same Observation, a new version)                       |
 * | OBX-14    | effectiveDateTime (else OBR-7)                                                    |
 * | NTE-3     | note                                                                              |
 */
export function mapObservation(
  m: Hl7,
  obx: Hl7Segment,
  notes: string[],
  facility: string,
  effective: string | undefined,
): { observation?: Json; presentedForm?: Json } {
  const code = codeableConcept(m, obx, 3, facility);
  if (!code) throw new Hl7Error('OBX', 3, 'OBX-3 (what was observed) is required');
  const { value, presentedForm } = observationValue(m, obx, facility);
  if (presentedForm) return { presentedForm: compact(presentedForm) };
  const interpretation: Json[] = [];
  for (let r = 1; r <= m.repetitions(obx, 8); r++) {
    const flag = m.value(obx, 8, 1, 1, r).toUpperCase();
    if (INTERPRETATIONS.has(flag)) interpretation.push({ coding: [{ system: INTERPRETATION, code: flag }] });
  }
  const status = OBSERVATION_STATUS[m.value(obx, 11).toUpperCase()] ?? 'final';
  return {
    observation: compact({
      resourceType: 'Observation',
      meta: { profile: ['http://nictiz.nl/fhir/StructureDefinition/nl-core-LaboratoryTestResult'] },
      status,
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
          ],
        },
      ],
      code,
      effectiveDateTime: hl7DateTime(m.value(obx, 14), { segment: 'OBX', field: 14 }) ?? effective,
      ...(value ?? {}),
      ...(value
        ? {}
        : status === 'cancelled'
          ? {
              dataAbsentReason: {
                coding: [
                  {
                    system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
                    code: 'not-performed',
                  },
                ],
              },
            }
          : {}),
      interpretation,
      referenceRange: referenceRange(m, obx),
      note: notes.length ? notes.map((text) => ({ text })) : undefined,
    }),
  };
}
