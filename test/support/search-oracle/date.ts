import type { Typed } from './definitions.ts';
import { splitPrefix, type Prefix } from './values.ts';

/** The date parameter rules of server/fhir/search/README.md: everything is a millisecond range. */

export interface DateRange {
  lo: number;
  hi: number;
}

const DAY = 86_400_000;
const PATTERN =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The inclusive range a date, dateTime or instant literal covers; no zone is UTC. */
export function dateRange(text: string): DateRange | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const fields = [
    Number(y),
    Number(mo ?? 1) - 1,
    Number(d ?? 1),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
  ];
  const start = new Date(0);
  start.setUTCFullYear(fields[0]!, fields[1]!, fields[2]!);
  start.setUTCHours(fields[3]!, fields[4]!, fields[5]!, Number((frac ?? '').slice(0, 3).padEnd(3, '0')));
  const end = new Date(start.getTime());
  if (mo === undefined) end.setUTCFullYear(end.getUTCFullYear() + 1);
  else if (d === undefined) end.setUTCMonth(end.getUTCMonth() + 1);
  else if (h === undefined) end.setUTCDate(end.getUTCDate() + 1);
  else if (s === undefined) end.setUTCMinutes(end.getUTCMinutes() + 1);
  else end.setTime(end.getTime() + 10 ** (3 - Math.min(frac?.length ?? 0, 3)));
  let offset = 0;
  if (zone && zone !== 'Z') {
    offset = (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return { lo: start.getTime() - offset, hi: end.getTime() - 1 - offset };
}

export function dateEntries(values: Typed[]): DateRange[] {
  const out: DateRange[] = [];
  for (const { type, value } of values) {
    if (type === 'date' || type === 'dateTime' || type === 'instant') {
      const r = typeof value === 'string' ? dateRange(value) : undefined;
      if (r) out.push(r);
    } else if (type === 'Period') {
      const r = periodRange(value);
      if (r) out.push(r);
    } else if (type === 'Timing') {
      for (const e of value.event ?? []) {
        const r = typeof e === 'string' ? dateRange(e) : undefined;
        if (r) out.push(r);
      }
      // The README names only events; R4 search (§3.1.1.4.7) says the outer limits of a Timing
      // count, and a bounds Period is one.
      const bounds = value.repeat?.boundsPeriod ? periodRange(value.repeat.boundsPeriod) : undefined;
      if (bounds) out.push(bounds);
    }
  }
  return out;
}

function periodRange(period: Record<string, unknown>): DateRange | undefined {
  const start = typeof period.start === 'string' ? dateRange(period.start) : undefined;
  const end = typeof period.end === 'string' ? dateRange(period.end) : undefined;
  return start || end ? { lo: start?.lo ?? -Infinity, hi: end?.hi ?? Infinity } : undefined;
}

export function parseDateQuery(raw: string): { prefix: Prefix; range: DateRange } {
  const [prefix, text] = splitPrefix(raw);
  const range = dateRange(text);
  if (!range) throw new Error(`oracle: bad date ${raw}`);
  return { prefix, range };
}

/** Does one stored range satisfy `prefix` against the search range? `now` is for `ap`. */
export function dateMatches(prefix: Prefix, s: DateRange, r: DateRange, now: number): boolean {
  const eq = r.lo >= s.lo && r.hi <= s.hi;
  switch (prefix) {
    case 'eq':
      return eq;
    case 'ne':
      return !eq;
    case 'gt':
      return r.hi > s.hi;
    case 'lt':
      return r.lo < s.lo;
    case 'ge':
      return r.hi > s.hi || eq;
    case 'le':
      return r.lo < s.lo || eq;
    case 'sa':
      return r.lo > s.hi;
    case 'eb':
      return r.hi < s.lo;
    case 'ap': {
      const widen = Math.max(DAY, Math.abs(now - s.lo) * 0.1);
      return r.lo <= s.hi + widen && r.hi >= s.lo - widen;
    }
  }
}

/** How close (ms) a stored range comes to the `ap` boundary: the test avoids queries on a knife edge. */
export function apMargin(s: DateRange, r: DateRange, now: number): number {
  const widen = Math.max(DAY, Math.abs(now - s.lo) * 0.1);
  return Math.min(Math.abs(r.lo - (s.hi + widen)), Math.abs(r.hi - (s.lo - widen)));
}

export function matchDate(entries: DateRange[], raw: string, now: number): boolean {
  const { prefix, range } = parseDateQuery(raw);
  return entries.some((r) => dateMatches(prefix, range, r, now));
}
