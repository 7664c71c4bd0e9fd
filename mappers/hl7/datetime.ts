import { Hl7Error } from './message.ts';

/** The time zone of a timestamp that carries no offset: the sender's, which here is Dutch. */
const ZONE = 'Europe/Amsterdam';

/** Made once: a formatter costs far more to make than to use (every result's time passes here). */
const FORMAT = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, timeZoneName: 'longOffset' });

/** The offset of `ZONE` at an instant, in minutes east of UTC. */
function offsetMinutes(utcMs: number): number {
  const name = FORMAT.formatToParts(new Date(utcMs)).find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/**
 * The offset of `ZONE` at a wall-clock time, as `+01:00` / `+02:00`. Two passes: the offset at
 * the wall-clock time read as UTC can be the wrong side of a summer-time change; the offset at
 * the instant that first guess gives is the right one (in the hour that occurs twice, the later).
 */
function offsetAt(year: number, month: number, day: number, hour: number, minute: number): string {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const guess = offsetMinutes(wall);
  const offset = offsetMinutes(wall - guess * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
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
  // A real calendar day (Date.parse takes 2024-02-30) and a real time of day.
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) {
    throw new Hl7Error(where.segment, where.field, `'${value}' is not a date`);
  }
  if ((h && Number(h) > 23) || (mi && Number(mi) > 59) || (s && Number(s) > 59)) {
    throw new Hl7Error(where.segment, where.field, `'${value}' is not a time of day`);
  }
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
