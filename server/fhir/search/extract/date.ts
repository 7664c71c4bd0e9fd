import { isComplexType, isPrimitiveType } from '../../model/type-info.ts';
import type { DateEntry } from '../types.ts';
import type { ElementNode } from './node.ts';
import { storedDateRange } from '../values/date.ts';

/** The extremes of a JavaScript Date: an open Period end reaches them. */
const MIN = -8.64e15;
const MAX = 8.64e15;

type Rec = Record<string, unknown>;

/** Date index entries for one element of a stored resource; `type` undefined: read the JSON shape. */
export function dateEntries(node: ElementNode): DateEntry[] {
  const { value } = node;
  switch (kindOf(node.type, value)) {
    case 'date':
      return typeof value === 'string' ? present(storedDateRange(value)) : [];
    case 'Period':
      return present(period(value));
    case 'Timing':
      return timing(value);
    default:
      return [];
  }
}

function kindOf(type: string | undefined, value: unknown): 'date' | 'Period' | 'Timing' | 'none' {
  if (type !== undefined && (isPrimitiveType(type) || isComplexType(type))) {
    if (type === 'date' || type === 'dateTime' || type === 'instant') return 'date';
    return type === 'Period' || type === 'Timing' ? type : 'none';
  }
  if (typeof value === 'string') return 'date';
  if (!isRecord(value)) return 'none';
  if ('start' in value || 'end' in value) return 'Period';
  if ('event' in value || 'repeat' in value) return 'Timing';
  return 'none';
}

/**
 * A missing bound is open; an unreadable one makes the whole Period unusable rather than open.
 * A Period with one bound and a TimeInterval duration (see `durationOf`) ends (or starts) that
 * long after (or before) the bound it has.
 */
function period(value: unknown): DateEntry | undefined {
  if (!isRecord(value)) return undefined;
  const { start, end } = value;
  const hasStart = typeof start === 'string';
  const hasEnd = typeof end === 'string';
  if (!hasStart && !hasEnd) return undefined;
  const from = hasStart ? storedDateRange(start) : undefined;
  const to = hasEnd ? storedDateRange(end) : undefined;
  if ((hasStart && !from) || (hasEnd && !to)) return undefined;
  const duration = hasStart !== hasEnd ? durationOf(value) : undefined;
  return {
    lo: from ? from.lo : duration ? shift(to!.lo, duration, -1) : MIN,
    hi: to ? to.hi : duration ? shift(from!.hi, duration, 1) : MAX,
  };
}

/**
 * The nl-core / MP9 TimeInterval pattern (zib TimeInterval, e.g. an MP9 period of use): a
 * Period that gives its length in this extension instead of one of its bounds. Nictiz asks a
 * server to derive the missing bound (start + duration, end − duration) before a date search
 * (SearchParameter http://nictiz.nl/fhir/SearchParameter/period-of-use).
 */
export const TIME_INTERVAL_DURATION = 'http://nictiz.nl/fhir/StructureDefinition/ext-TimeInterval.Duration';

const UCUM = 'http://unitsofmeasure.org';
const FIXED_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  wk: 7 * 86_400_000,
};
/** Whole months and years are calendar months and years; a fraction uses UCUM's mean length. */
const CALENDAR_MONTHS: Record<string, { months: number; meanMs: number }> = {
  mo: { months: 1, meanMs: 30.4375 * 86_400_000 },
  a: { months: 12, meanMs: 365.25 * 86_400_000 },
};

interface Duration {
  value: number;
  code: string;
}

/** The Period's TimeInterval duration: a non-negative UCUM time quantity, or undefined. */
function durationOf(period: Rec): Duration | undefined {
  const extensions = Array.isArray(period.extension) ? period.extension : [];
  const ext = extensions.find((e): e is Rec => isRecord(e) && e.url === TIME_INTERVAL_DURATION);
  const q = ext && isRecord(ext.valueDuration) ? ext.valueDuration : undefined;
  if (!q || typeof q.value !== 'number' || !Number.isFinite(q.value) || q.value < 0) return undefined;
  if (q.system !== undefined && q.system !== UCUM) return undefined;
  const code = typeof q.code === 'string' ? q.code : undefined;
  return code && (code in FIXED_MS || code in CALENDAR_MONTHS) ? { value: q.value, code } : undefined;
}

/** `at` moved by `sign` × the duration. */
function shift(at: number, { value, code }: Duration, sign: 1 | -1): number {
  const fixed = FIXED_MS[code];
  if (fixed !== undefined) return at + sign * value * fixed;
  const { months, meanMs } = CALENDAR_MONTHS[code]!;
  if (!Number.isInteger(value)) return at + sign * value * meanMs;
  const d = new Date(at);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + sign * value * months);
  // The same day of the month, or the month's last day when it is shorter (Jan 31 + 1 mo).
  const monthEnd = new Date(d);
  monthEnd.setUTCMonth(d.getUTCMonth() + 1, 0);
  d.setUTCDate(Math.min(day, monthEnd.getUTCDate()));
  return d.getTime();
}

function timing(value: unknown): DateEntry[] {
  if (!isRecord(value)) return [];
  const events = Array.isArray(value.event) ? value.event : [];
  const entries = events.flatMap((e) => (typeof e === 'string' ? present(storedDateRange(e)) : []));
  const repeat: Rec = isRecord(value.repeat) ? value.repeat : {};
  return [...entries, ...present(period(repeat.boundsPeriod))];
}

function present(entry: DateEntry | undefined): DateEntry[] {
  return entry ? [entry] : [];
}

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
