import type { Hl7Segment } from '@medplum/core';
import { patientEntry as patientEntryOf } from '../patient-entry.ts';
import { entry, type MapContext, type TransactionBundle } from '../bundle.ts';
import { codeableConcept } from '../hl7/coded.ts';
import { hl7DateTime } from '../hl7/datetime.ts';
import { Hl7Error, UnsupportedMessageError, type Hl7 } from '../hl7/message.ts';
import { compact, identifier, localSystem, practitionerRef } from '../hl7/types.ts';

type Identifier = { system?: string; value?: string };

/** SIU trigger events → Appointment.status. */
const TRIGGERS: Record<string, { meaning: string; status: string }> = {
  S12: { meaning: 'new appointment booked', status: 'booked' },
  S13: { meaning: 'appointment rescheduled', status: 'booked' },
  S14: { meaning: 'appointment modified', status: 'booked' },
  S15: { meaning: 'appointment cancelled', status: 'cancelled' },
  S17: { meaning: 'appointment deleted', status: 'entered-in-error' },
  S26: { meaning: 'patient did not show up', status: 'noshow' },
};

/** The start and end of the appointment: TQ1-7/8 (v2.5), else SCH-11.4/5 (the TQ of v2.3/2.4). */
function period(m: Hl7, sch: Hl7Segment): { start?: string; end?: string } {
  const tq1 = m.first('TQ1');
  const [startText, endText, field] = tq1
    ? [m.value(tq1, 7), m.value(tq1, 8), 7]
    : [m.value(sch, 11, 4), m.value(sch, 11, 5), 11];
  const segment = tq1 ? 'TQ1' : 'SCH';
  return compact({
    start: hl7DateTime(startText, { segment, field }),
    end: hl7DateTime(endText, { segment, field }),
  });
}

/**
 * `SIU^S12–S15, S17, S26` → an Appointment of the patient of PID, known by the filler's
 * appointment id (SCH-2, else the placer's, SCH-1): a reschedule, change or cancel updates it.
 *
 * | v2            | FHIR                                                               |
 * | ------------- | ------------------------------------------------------------------ |
 * | SCH-2 / SCH-1 | identifier                                                         |
 * | trigger       | status (S12–S14 booked, S15 cancelled, S17 entered-in-error, S26 noshow) |
 * | TQ1-7/8, SCH-11.4/5 | start, end (with a time: an appointment has instants)        |
 * | SCH-7         | reasonCode                                                         |
 * | SCH-8         | appointmentType                                                    |
 * | AIS-3         | serviceType                                                        |
 * | AIP-3         | participant: the practitioner (by AGB/UZI/BIG)                     |
 * | AIL-3         | participant: the location (display)                                |
 * | PID           | participant: the patient (created if unknown, never changed)       |
 */
export function mapSiu(m: Hl7, _context: MapContext): TransactionBundle {
  const trigger = m.value('MSH', 9, 2);
  const meaning = TRIGGERS[trigger];
  if (!meaning) {
    throw new UnsupportedMessageError(
      'MSH',
      9,
      `SIU^${trigger} is not mapped (supported: ${Object.keys(TRIGGERS).join(', ')})`,
      '201',
    );
  }
  const facility = m.sender.facility || m.sender.application;
  const seed = `${facility}|${m.controlId}`;
  const sch = m.required('SCH');
  const [field, value] = m.value(sch, 2) ? [2, m.value(sch, 2)] : [1, m.value(sch, 1)];
  if (!value)
    throw new Hl7Error('SCH', 2, "SCH-2 (the filler's appointment id) or SCH-1 (the placer's) is required");
  const authority = m.value(sch, field, 2);
  const id = identifier(
    value,
    authority,
    '',
    localSystem('appointment-id', authority || facility),
  ) as Identifier;

  const { entry: patientEntry } = patientEntryOf(m, facility, seed, 'ensure');

  const { start, end } = period(m, sch);
  // A booked appointment has its time; a cancelled one may come without.
  if (meaning.status === 'booked' && (!start || !start.includes('T') || !end || !end.includes('T'))) {
    throw new Hl7Error(
      m.first('TQ1') ? 'TQ1' : 'SCH',
      m.first('TQ1') ? 7 : 11,
      'a booked appointment needs its start and end date and time',
    );
  }
  const practitioners = m.all('AIP').flatMap((aip) => {
    const who = practitionerRef(m, aip, 3, facility);
    return who ? [{ actor: who, status: 'accepted' }] : [];
  });
  const locations = m.all('AIL').flatMap((ail) => {
    const where = [m.value(ail, 3, 1), m.value(ail, 3, 2), m.value(ail, 3, 4)].filter(Boolean).join(', ');
    return where ? [{ actor: { display: where }, status: 'accepted' }] : [];
  });
  const ais = m.first('AIS');
  const service = ais && codeableConcept(m, ais, 3, facility);
  const reason = codeableConcept(m, sch, 7, facility);
  const appointment = compact({
    resourceType: 'Appointment',
    identifier: [id],
    status: meaning.status,
    serviceType: service ? [service] : undefined,
    appointmentType: codeableConcept(m, sch, 8, facility),
    reasonCode: reason ? [reason] : undefined,
    start: start?.includes('T') ? start : undefined,
    end: end?.includes('T') ? end : undefined,
    participant: [
      {
        actor: { reference: patientEntry.fullUrl },
        status: meaning.status === 'noshow' ? 'declined' : 'accepted',
      },
      ...practitioners,
      ...locations,
    ],
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [patientEntry, entry(seed, 'Appointment', appointment, id)],
  };
}
