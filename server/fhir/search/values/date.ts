import { FhirError } from '../../errors.ts';
import type { DateEntry } from '../types.ts';

const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

const GRAMMAR = 'YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.sss]][Z|±hh:mm]';
const MINUTE = 60_000;

/**
 * A date, dateTime or instant query value as the inclusive range of milliseconds its precision
 * covers: `2020` is the whole year, `2020-03-04T10:00` the whole minute. No zone means UTC.
 */
export function parseDateRange(name: string, text: string): DateEntry {
  const range = dateRange(text);
  if (typeof range === 'string') throw new FhirError(400, `${name}: '${text}' ${range}`, { code: 'value' });
  return range;
}

/** The same reading for a value from a stored resource, which must not fail the write. */
export function storedDateRange(text: string): DateEntry | undefined {
  const range = dateRange(text);
  return typeof range === 'string' ? undefined : range;
}

/**
 * Why a stored date, dateTime or instant names no real moment (February 30, or the 29th in a
 * common year), or undefined when it does or when it is not of the date grammar at all (the
 * schema's pattern reports that). The FHIR grammar allows a leap second (`:60`), so this does too.
 */
export function impossibleDate(text: string): string | undefined {
  const m = DATE_TIME.exec(text);
  return m ? calendarProblem(m, 60) : undefined;
}

/** The range, or why there is none. */
function dateRange(text: string): DateEntry | string {
  const m = DATE_TIME.exec(text);
  if (!m) return `is not a FHIR date, dateTime or instant (expected ${GRAMMAR})`;
  // JavaScript time has no leap seconds, so no range can hold a `:60`.
  const problem = calendarProblem(m, 59);
  if (problem) return problem;
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const year = Number(ys);
  const month = mos === undefined ? 1 : Number(mos);
  const day = ds === undefined ? 1 : Number(ds);
  const hour = Number(hs ?? 0);
  const minute = Number(mis ?? 0);
  const second = Number(ss ?? 0);
  const offset = zone === undefined ? 0 : zoneOffset(zone)!;

  const digits = Math.min(frac?.length ?? 0, 3);
  const millis = Number((frac ?? '').slice(0, 3).padEnd(3, '0'));
  const start = utc(year, month - 1, day, hour, minute, second, millis);
  let next: number;
  if (mos === undefined) next = utc(year + 1, 0, 1);
  else if (ds === undefined) next = utc(year, month, 1);
  else if (hs === undefined) next = utc(year, month - 1, day + 1);
  else if (ss === undefined) next = start + MINUTE;
  else next = start + 10 ** (3 - digits);
  return { lo: start - offset * MINUTE, hi: next - 1 - offset * MINUTE };
}

/** The first field of a DATE_TIME match out of its range, said for a client, or undefined. */
function calendarProblem(m: RegExpExecArray, maxSecond: 59 | 60): string | undefined {
  const [, ys, mos, ds, hs, mis, ss, , zone] = m;
  const year = Number(ys);
  const month = Number(mos ?? 1);
  if (year < 1) return 'has year 0000; the first year is 0001';
  if (month < 1 || month > 12) return `has month ${mos}; months run from 01 to 12`;
  const day = Number(ds ?? 1);
  if (day < 1 || day > daysInMonth(year, month)) return `has day ${ds}, which ${ys}-${mos} does not have`;
  if (Number(hs ?? 0) > 23) return `has hour ${hs}; hours run from 00 to 23`;
  if (Number(mis ?? 0) > 59) return `has minute ${mis}; minutes run from 00 to 59`;
  if (Number(ss ?? 0) > maxSecond) return `has second ${ss}; seconds run from 00 to ${maxSecond}`;
  if (zone !== undefined && zoneOffset(zone) === undefined)
    return `has time zone ${zone}; zones run from -14:00 to +14:00`;
  return undefined;
}

/** Minutes east of UTC, or undefined outside the range FHIR allows. */
function zoneOffset(zone: string): number | undefined {
  if (zone === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (minutes > 59 || hours > 14 || (hours === 14 && minutes > 0)) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month, 0)).getUTCDate();
}

/** Like Date.UTC, but years 1–99 are not taken for 1901–1999. */
function utc(year: number, month: number, day: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(h, mi, s, ms);
  return d.getTime();
}
