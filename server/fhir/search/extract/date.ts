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

/** A missing bound is open; an unreadable one makes the whole Period unusable rather than open. */
function period(value: unknown): DateEntry | undefined {
  if (!isRecord(value)) return undefined;
  const { start, end } = value;
  const hasStart = typeof start === 'string';
  const hasEnd = typeof end === 'string';
  if (!hasStart && !hasEnd) return undefined;
  const from = hasStart ? storedDateRange(start) : { lo: MIN, hi: MIN };
  const to = hasEnd ? storedDateRange(end) : { lo: MAX, hi: MAX };
  return from && to ? { lo: from.lo, hi: to.hi } : undefined;
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
