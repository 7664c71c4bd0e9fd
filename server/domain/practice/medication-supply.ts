import type { Json } from './portal-requests.ts';

const DAY = 86_400_000;

/** A duration (FHIR Duration / Quantity of time, UCUM or words) in days; undefined when it is not one. */
export function days(q: Json | undefined): number | undefined {
  const value = q?.value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  const unit = String(q?.code ?? q?.unit ?? 'd').toLowerCase();
  const per: Record<string, number> = {
    d: 1,
    day: 1,
    days: 1,
    dag: 1,
    dagen: 1,
    wk: 7,
    week: 7,
    weeks: 7,
    weken: 7,
    mo: 30,
    month: 30,
    months: 30,
    maand: 30,
    maanden: 30,
    h: 1 / 24,
    hour: 1 / 24,
    hours: 1 / 24,
    uur: 1 / 24,
  };
  return per[unit] === undefined ? undefined : value * per[unit];
}

const PERIOD_DAYS: Record<string, number> = {
  s: 1 / 86_400,
  min: 1 / 1_440,
  h: 1 / 24,
  d: 1,
  wk: 7,
  mo: 30,
  a: 365,
};

/**
 * How many units a day the dosage takes, when it says so plainly: a dose quantity (or the low
 * end of a range) times frequency per period. Undefined for "as needed" or anything less plain,
 * and when the dose unit is not the unit the supply is counted in.
 */
function dailyUse(request: Json, unit: string | undefined): number | undefined {
  let total = 0;
  for (const d of (request.dosageInstruction ?? []) as Json[]) {
    if (d.asNeededBoolean === true || d.asNeededCodeableConcept) return undefined;
    const repeat = d.timing?.repeat as Json | undefined;
    const dose = ((d.doseAndRate ?? []) as Json[])[0];
    const quantity = (dose?.doseQuantity ?? dose?.doseRange?.low) as Json | undefined;
    const periodDays = PERIOD_DAYS[String(repeat?.periodUnit)];
    if (typeof quantity?.value !== 'number' || !periodDays || typeof repeat?.period !== 'number')
      return undefined;
    const doseUnit = (quantity.code ?? quantity.unit) as string | undefined;
    if (unit && doseUnit && unit !== doseUnit) return undefined;
    const frequency = typeof repeat.frequency === 'number' ? repeat.frequency : 1;
    total += (quantity.value * frequency) / (repeat.period * periodDays);
  }
  return total > 0 ? total : undefined;
}

/** One supply of a prescription and when it runs out; `key` names it once (a reminder per supply). */
export interface Supply {
  key: string;
  runsOut: Date;
}

/**
 * When the patient's supply under `request` runs out. From the latest completed dispense of it
 * (handed over + days supply, or + quantity ÷ daily use); else from the prescription itself: its
 * expected supply duration from the start of its validity (or when it was written), the end of
 * its dosage's bounds, or the end of its validity. Undefined when nothing says.
 */
export function supplyOf(request: Json, dispenses: Json[]): Supply | undefined {
  const handed = dispenses
    .filter((d) => d.status === 'completed' && Number.isFinite(Date.parse(d.whenHandedOver as string)))
    .sort((a, b) => Date.parse(b.whenHandedOver as string) - Date.parse(a.whenHandedOver as string));
  const latest = handed[0];
  if (latest) {
    const at = Date.parse(latest.whenHandedOver as string);
    const quantity = latest.quantity as Json | undefined;
    const perDay = dailyUse(request, (quantity?.code ?? quantity?.unit) as string | undefined);
    const span =
      days(latest.daysSupply as Json | undefined) ??
      (typeof quantity?.value === 'number' && perDay ? quantity.value / perDay : undefined);
    if (span) return { key: `MedicationDispense/${latest.id as string}`, runsOut: new Date(at + span * DAY) };
  }
  const dispense = request.dispenseRequest as Json | undefined;
  const expected = days(dispense?.expectedSupplyDuration as Json | undefined);
  const start = Date.parse((dispense?.validityPeriod?.start ?? request.authoredOn) as string);
  const ends = [
    expected && Number.isFinite(start) ? start + expected * DAY : undefined,
    ...((request.dosageInstruction ?? []) as Json[]).map((d) =>
      Date.parse(d.timing?.repeat?.boundsPeriod?.end as string),
    ),
    Date.parse(dispense?.validityPeriod?.end as string),
  ].filter((t): t is number => typeof t === 'number' && Number.isFinite(t));
  const end = ends[0];
  if (end === undefined) return undefined;
  const runsOut = new Date(end);
  return { key: `MedicationRequest/${request.id as string}|${runsOut.toISOString()}`, runsOut };
}

/** A supply within `daysAhead` days of running out, and not run out yet: the reminder is due. */
export function reminderDue(supply: Supply, now: Date, daysAhead: number): boolean {
  const t = supply.runsOut.getTime();
  return t >= now.getTime() && t - daysAhead * DAY <= now.getTime();
}
