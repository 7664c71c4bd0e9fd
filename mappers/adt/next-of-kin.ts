import type { Hl7Segment } from '@medplum/core';
import type { Hl7 } from '../hl7/message.ts';
import { address, compact, contactPoint, each, humanName, localSystem } from '../hl7/types.ts';

type Json = Record<string, unknown>;

/** NK1-3 (table 0063) → v3 RoleCode, as nl-core-ContactPerson's relationship. */
const RELATIONSHIP: Record<string, string> = {
  SPO: 'SPS',
  DOM: 'DOMPART',
  CHD: 'CHILD',
  PAR: 'PRN',
  MTH: 'MTH',
  FTH: 'FTH',
  SIB: 'SIB',
  GRD: 'GUARD',
  FND: 'FRND',
  EXF: 'FAMMEMB',
};

/**
 * NK1 → an nl-core-ContactPerson (RelatedPerson) of the patient. NK1 has no identifier of its
 * own, so the person is known by the patient's number and the set id (NK1-1): the same contact
 * sent again updates, not duplicates.
 *
 * | v2          | FHIR                                                        |
 * | ----------- | ----------------------------------------------------------- |
 * | NK1-2       | name                                                        |
 * | NK1-3       | relationship (v3 RoleCode)                                  |
 * | NK1-4       | address                                                     |
 * | NK1-5, -6   | telecom                                                     |
 * | NK1-7       | relationship: the contact role (C: emergency contact)       |
 */
export function mapNextOfKin(
  m: Hl7,
  nk1: Hl7Segment,
  patientKey: string,
  facility: string,
): Json | undefined {
  const name = humanName(m, nk1, 2);
  if (!name) return undefined;
  const rel = RELATIONSHIP[m.value(nk1, 3).toUpperCase()];
  const role = m.value(nk1, 7);
  return compact({
    resourceType: 'RelatedPerson',
    meta: { profile: ['http://nictiz.nl/fhir/StructureDefinition/nl-core-ContactPerson'] },
    identifier: [
      { system: localSystem('next-of-kin', facility), value: `${patientKey}-${m.value(nk1, 1) || '1'}` },
    ],
    relationship: [
      ...(rel
        ? [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: rel }] }]
        : []),
      ...(role === 'C' || role === 'EC'
        ? [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/v2-0131',
                  code: 'C',
                  display: 'Emergency Contact',
                },
              ],
            },
          ]
        : []),
    ],
    name: [name],
    telecom: [...each(m, nk1, 5, contactPoint), ...each(m, nk1, 6, contactPoint)],
    address: each(m, nk1, 4, address),
  });
}
