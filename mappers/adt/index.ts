import type { Hl7 } from '../hl7/message.ts';
import { patientEntry as patientEntryOf } from '../patient-entry.ts';
import { UnsupportedMessageError } from '../hl7/message.ts';
import { mapCoverage } from './coverage.ts';
import { mapEncounter } from './encounter.ts';
import { mapMerge } from './merge.ts';
import { mapNextOfKin } from './next-of-kin.ts';
import { ADT_TRIGGERS } from './triggers.ts';
import { entry, stableUuid, type MapContext, type TransactionBundle } from '../bundle.ts';

type Json = Record<string, unknown>;
type Identifier = { system?: string; value?: string };

/**
 * `ADT^A01…A31` → one transaction (`A40`, a merge: `merge.ts`): the Patient, and the Encounter, contact persons and coverage
 * the message carries. Each is found again by its identifier (a conditional update), so a
 * message sent twice, or an A08 after an A01, changes the same resources.
 */
export function mapAdt(m: Hl7, context: MapContext): TransactionBundle {
  const trigger = m.value('MSH', 9, 2) || m.value('EVN', 1);
  if (!ADT_TRIGGERS[trigger]) {
    throw new UnsupportedMessageError(
      'MSH',
      9,
      `ADT^${trigger} is not mapped (supported: ${Object.keys(ADT_TRIGGERS).join(', ')})`,
      '201',
    );
  }
  const facility = m.sender.facility || m.sender.application;
  const seed = `${facility}|${m.controlId}`;
  if (trigger === 'A40') return mapMerge(m, facility, seed);
  const { entry: patientEntry, key } = patientEntryOf(m, facility, seed, 'update');
  const subject = { reference: patientEntry.fullUrl };
  const entries = [patientEntry];

  const encounter = mapEncounter(m, trigger, facility);
  if (encounter) {
    if (context.organization) encounter.serviceProvider = { reference: context.organization };
    encounter.subject = subject;
    entries.push(entry(seed, 'Encounter', encounter, (encounter.identifier as Identifier[])[0]!));
  }
  for (const nk1 of m.all('NK1')) {
    // Not the BSN itself: a contact's identifier is no place for the patient's BSN.
    const person = mapNextOfKin(m, nk1, stableUuid(key.system ?? '', key.value), facility);
    if (!person) continue;
    person.patient = subject;
    entries.push(entry(seed, 'RelatedPerson', person, (person.identifier as Identifier[])[0]!));
  }
  for (const in1 of m.all('IN1')) {
    const coverage = mapCoverage(m, in1, facility, stableUuid(key.system ?? '', key.value));
    if (!coverage) continue;
    coverage.beneficiary = subject;
    const id = (coverage.identifier as Identifier[] | undefined)?.[0];
    entries.push(entry(seed, 'Coverage', coverage, id));
  }
  return { resourceType: 'Bundle', type: 'transaction', entry: entries as Json[] };
}
