import type { Hl7 } from '../hl7/message.ts';
import { hl7DateTime } from '../hl7/datetime.ts';
import { compact, identifier, localSystem, practitionerRef } from '../hl7/types.ts';
import { ADT_TRIGGERS } from './triggers.ts';

type Json = Record<string, unknown>;
const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/** PV1-2 (table 0004) → Encounter.class. */
const CLASS: Record<string, { code: string; display: string }> = {
  I: { code: 'IMP', display: 'inpatient encounter' },
  O: { code: 'AMB', display: 'ambulatory' },
  E: { code: 'EMER', display: 'emergency' },
  P: { code: 'PRENC', display: 'pre-admission' },
  R: { code: 'AMB', display: 'ambulatory' },
  B: { code: 'AMB', display: 'ambulatory' },
};

/** PV1-41 account status / PV1-2 aside, what the trigger says when it does not name a status. */
function statusFromPv1(m: Hl7): string {
  if (m.value('PV1', 45)) return 'finished';
  if (m.value('PV1', 44)) return 'in-progress';
  return 'planned';
}

/**
 * PV1 → an nl-core Encounter, its status by the trigger event (triggers.ts).
 *
 * | v2              | FHIR                                                             |
 * | --------------- | ---------------------------------------------------------------- |
 * | PV1-19 (CX)     | identifier (the visit number; the Encounter is found by it)      |
 * | PV1-2           | class (I → IMP, O → AMB, E → EMER, P → PRENC)                    |
 * | PV1-3 (PL)      | location (point of care, room, bed)                              |
 * | PV1-7, PV1-17   | participant ATND (attending), ADM (admitting), by AGB/UZI/BIG    |
 * | PV1-10          | serviceType (the hospital service)                               |
 * | PV1-44, PV1-45  | period.start, period.end (EVN-2 when a discharge has no PV1-45)  |
 * | MSH-4           | serviceProvider: the sending hospital (set when the message is applied) |
 */
export function mapEncounter(m: Hl7, trigger: string, facility: string): Json | undefined {
  const pv1 = m.first('PV1');
  const kind = ADT_TRIGGERS[trigger]?.encounter;
  if (!pv1 || !kind) return undefined;
  const visit = m.value(pv1, 19);
  if (!visit) return undefined; // without a visit number the Encounter cannot be found again
  const where = (field: number) => ({ segment: 'PV1', field });
  const status = kind === 'from-pv1' ? statusFromPv1(m) : kind;
  const start = hl7DateTime(m.value(pv1, 44), where(44));
  const end =
    status === 'finished'
      ? (hl7DateTime(m.value(pv1, 45), where(45)) ??
        hl7DateTime(m.value('EVN', 2), { segment: 'EVN', field: 2 }))
      : undefined;
  const cls = CLASS[m.value(pv1, 2).toUpperCase()] ?? CLASS.O!;
  const location = [m.value(pv1, 3, 1), m.value(pv1, 3, 2), m.value(pv1, 3, 3)].filter(Boolean);
  const participant = [
    ['ATND', 'attender', practitionerRef(m, pv1, 7, facility)],
    ['ADM', 'admitter', practitionerRef(m, pv1, 17, facility)],
  ]
    .filter(([, , who]) => who)
    .map(([code, display, who]) => ({
      type: [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code, display }] },
      ],
      individual: who,
    }));
  const authority = m.value(pv1, 19, 4);
  return compact({
    resourceType: 'Encounter',
    meta: { profile: ['http://nictiz.nl/fhir/StructureDefinition/nl-core-Encounter'] },
    identifier: [identifier(visit, authority, 'VN', localSystem('visit-number', authority || facility))],
    status,
    class: { system: ACT, ...cls },
    serviceType: m.value(pv1, 10)
      ? { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0069', code: m.value(pv1, 10) }] }
      : undefined,
    participant,
    period: start || end ? compact({ start, end }) : undefined,
    location: location.length ? [{ location: { display: location.join(', ') } }] : undefined,
  });
}
