import { FhirError } from '../errors.ts';

const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * A FHIR date/dateTime/instant query value as the earliest instant it denotes. Values without
 * a timezone are read as UTC, so the answer does not depend on the server's zone.
 */
export function parseInstantParam(name: string, value: string): Date {
  const m = DATE_TIME.exec(value);
  if (!m)
    throw new FhirError(400, `${name}: '${value}' is not a valid FHIR date, dateTime or instant`, {
      code: 'value',
    });
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', frac = '', tz = 'Z'] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${tz}`;
  const date = new Date(iso);
  const daysInMonth = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  const valid =
    !Number.isNaN(date.getTime()) &&
    Number(y) >= 1 &&
    Number(mo) >= 1 &&
    Number(mo) <= 12 &&
    Number(d) >= 1 &&
    Number(d) <= daysInMonth &&
    Number(h) <= 23 &&
    Number(mi) <= 59 &&
    Number(s) <= 59;
  if (!valid) throw new FhirError(400, `${name}: '${value}' is not a valid date`, { code: 'value' });
  return date;
}

/** `_count`: a non-negative integer, capped at the configured maximum. */
export function parseCount(value: string | null, fallback: number, max: number): number {
  if (value === null) return fallback;
  if (!/^[0-9]{1,9}$/.test(value)) {
    throw new FhirError(400, `_count: '${value}' is not a non-negative integer`, { code: 'value' });
  }
  return Math.min(Number(value), max);
}

/** A parameter that may appear at most once. */
export function single(params: URLSearchParams, name: string): string | null {
  const all = params.getAll(name);
  if (all.length > 1) throw new FhirError(400, `${name} may only be given once`, { code: 'invalid' });
  return all[0] ?? null;
}
