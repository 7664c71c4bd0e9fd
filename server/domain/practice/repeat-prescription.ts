import type { Json } from './portal-requests.ts';

const DAY = 86_400_000;

/**
 * A period moved to start now with the same length (a repeat's validity and dosage bounds run
 * from the repeat, not from the first prescription); with no end, it simply starts now.
 */
function fromNow(period: Json | undefined, now: string): Json | undefined {
  if (!period) return undefined;
  const start = Date.parse(period.start as string);
  const end = Date.parse(period.end as string);
  if (Number.isFinite(start) && Number.isFinite(end) && end >= start) {
    const at = Date.parse(now);
    // Whole days when both ends are dates, so a date stays a date.
    const dated = String(period.start).length === 10 && String(period.end).length === 10;
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    if (dated) return { start: day(at), end: day(at + Math.round((end - start) / DAY) * DAY) };
    return { start: now, end: new Date(at + (end - start)).toISOString() };
  }
  return { start: now };
}

function dosageFromNow(dosage: Json, now: string): Json {
  const repeat = dosage.timing?.repeat as Json | undefined;
  if (!repeat?.boundsPeriod) return dosage;
  return {
    ...dosage,
    timing: { ...dosage.timing, repeat: { ...repeat, boundsPeriod: fromNow(repeat.boundsPeriod, now) } },
  };
}

/**
 * The repeat of prescription `old` as the practice approves it: an active order for the same
 * medication, dosage and dispense request (validity and dosage bounds from now on), prescribed
 * by `requester`, `priorPrescription` the old one, for the pharmacy the patient asked for (else
 * the old one's). What identifies the old prescription (identifier, group) is not copied.
 */
export function repeatOf(
  old: Json,
  made: { id: string; now: string; requester: { reference: string }; pharmacy?: Json; meta: Json },
): Json {
  const dispense = old.dispenseRequest as Json | undefined;
  const dispenseRequest =
    dispense || made.pharmacy
      ? Object.fromEntries(
          Object.entries({
            ...dispense,
            validityPeriod: fromNow(dispense?.validityPeriod as Json | undefined, made.now),
            performer: made.pharmacy ? { reference: made.pharmacy.reference } : dispense?.performer,
          }).filter(([, v]) => v !== undefined),
        )
      : undefined;
  const copied = [
    'category',
    'priority',
    'medicationCodeableConcept',
    'medicationReference',
    'reasonCode',
    'reasonReference',
    'courseOfTherapyType',
    'substitution',
  ];
  return {
    resourceType: 'MedicationRequest',
    id: made.id,
    meta: made.meta,
    status: 'active',
    intent: 'order',
    ...Object.fromEntries(copied.filter((k) => old[k] !== undefined).map((k) => [k, old[k]])),
    subject: old.subject,
    authoredOn: made.now,
    requester: made.requester,
    ...(old.dosageInstruction
      ? { dosageInstruction: (old.dosageInstruction as Json[]).map((d) => dosageFromNow(d, made.now)) }
      : {}),
    ...(dispenseRequest ? { dispenseRequest } : {}),
    priorPrescription: { reference: `MedicationRequest/${old.id as string}` },
  };
}
