import { Hl7Error } from './message.ts';

/** The time zone of a timestamp that carries no offset: the sender's, which here is Dutch. */
const ZONE = 'Europe/Amsterdam';

/** The UTC offset of `ZONE` at a wall-clock time, as `+01:00` / `+02:00`. */
function offsetAt(year: number, month: number, day: number, hour: number, minute: number): string {
  const utc = Date.UTC(year, month - 1, day, hour, minute);
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, timeZoneName: 'longOffset' })
    .formatToParts(new Date(utc))
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-]\d{2}:\d{2})?/.exec(parts ?? '');
  return m?.[1] ?? '+00:00';
}

/**
 * An HL7 DTM/TS (`YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]`) as a FHIR date or dateTime, keeping
 * its precision: `1980` stays a year, `19800101` a date; a time gets its offset, or the Dutch one
 * when the sender gave none (a FHIR dateTime with a time must have one). Empty stays undefined.
 */
export function hl7DateTime(value: string, where: { segment: string; field: number }): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d{1,4})?([+-]\d{4})?$/.exec(value.trim());
  if (!m)
    throw new Hl7Error(where.segment, where.field, `'${value}' is not an HL7 date/time (YYYYMMDDHHMMSS)`);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (!mo) return y;
  if (!d) return `${y}-${mo}`;
  const date = `${y}-${mo}-${d}`;
  if (Number.isNaN(Date.parse(date)))
    throw new Hl7Error(where.segment, where.field, `'${value}' is not a date`);
  if (!h) return date;
  const time = `${h}:${mi ?? '00'}:${s ?? '00'}${frac ?? ''}`;
  const offset = zone
    ? `${zone.slice(0, 3)}:${zone.slice(3)}`
    : offsetAt(Number(y), Number(mo), Number(d), Number(h), Number(mi ?? 0));
  return `${date}T${time}${offset}`;
}

/** Just the date of a DTM (a birth date with a time is still a date in FHIR's Patient). */
export function hl7Date(value: string, where: { segment: string; field: number }): string | undefined {
  const full = hl7DateTime(value, where);
  return full?.slice(0, 10);
}
