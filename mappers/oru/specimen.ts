import type { Hl7Segment } from '@medplum/core';
import { codeableConcept } from '../hl7/coded.ts';
import { hl7DateTime } from '../hl7/datetime.ts';
import type { Hl7 } from '../hl7/message.ts';
import { compact, localSystem } from '../hl7/types.ts';

type Json = Record<string, unknown>;

/**
 * The specimen of an order: SPM (v2.5) or OBR-15 (the v2.3/2.4 specimen source), as an
 * nl-core-LaboratoryTestResult.Specimen; undefined when the message names none.
 *
 * | v2                | FHIR                                                         |
 * | ----------------- | ------------------------------------------------------------ |
 * | SPM-2             | identifier (else the order number with `-specimen`)          |
 * | SPM-4, OBR-15.1   | type                                                         |
 * | SPM-17, OBR-7     | collection.collectedDateTime                                 |
 * | SPM-8             | collection.bodySite                                          |
 */
export function mapSpecimen(
  m: Hl7,
  spm: Hl7Segment | undefined,
  obr: Hl7Segment,
  orderNumber: string,
  facility: string,
): Json | undefined {
  const type = spm ? codeableConcept(m, spm, 4, facility) : codeableConcept(m, obr, 15, facility);
  if (!type) return undefined;
  const number = spm ? m.value(spm, 2) : '';
  const collected = spm
    ? hl7DateTime(m.value(spm, 17), { segment: 'SPM', field: 17 })
    : hl7DateTime(m.value(obr, 7), { segment: 'OBR', field: 7 });
  const site = spm ? codeableConcept(m, spm, 8, facility) : undefined;
  return compact({
    resourceType: 'Specimen',
    meta: { profile: ['http://nictiz.nl/fhir/StructureDefinition/nl-core-LaboratoryTestResult.Specimen'] },
    identifier: [
      { system: localSystem('specimen-id', facility), value: number || `${orderNumber}-specimen` },
    ],
    type,
    collection: collected || site ? compact({ collectedDateTime: collected, bodySite: site }) : undefined,
  });
}
