import type { CompositeGroup } from './composite.ts';
import type { DateRange } from './date.ts';
import type { ParamDef } from './definitions.ts';
import type { QuantityEntry } from './number.ts';
import type { Holder, Picker } from './pick.ts';
import type { ReferenceEntry } from './reference.ts';
import type { StringEntry } from './string.ts';
import type { TokenEntry } from './token.ts';
import { escape, type Dec, type Prefix } from './values.ts';

/** Query values built from stored index values, for the generator. */

const isAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);

/** A prefix, substring or the whole of a stored string, sometimes in other letter case. */
export function stringValue(
  p: Picker,
  text: string,
  mode: 'prefix' | 'contains' | 'exact',
): string | undefined {
  if (mode === 'exact') return text.trim() === text && text !== '' ? escape(text) : undefined;
  const chars = Array.from(text.trim());
  if (chars.length < 2) return undefined;
  let value: string;
  if (mode === 'prefix') value = chars.slice(0, 2 + p.int(Math.min(chars.length - 1, 8))).join('');
  else {
    const start = 1 + p.int(Math.max(1, chars.length - 4));
    value = chars.slice(start, start + 3 + p.int(3)).join('');
  }
  value = value.trim();
  if (value.length < 2) return undefined;
  if (isAscii(value) && p.chance(0.3)) value = p.chance(0.5) ? value.toUpperCase() : value.toLowerCase();
  return escape(value);
}

export type TokenForm = 'code' | 'system|code' | '|code' | 'system|';

export function tokenValue(e: TokenEntry, form: TokenForm): string | undefined {
  switch (form) {
    case 'code':
      return e.code !== null ? escape(e.code) : undefined;
    case 'system|code':
      return e.system !== null && e.code !== null ? `${escape(e.system)}|${escape(e.code)}` : undefined;
    case '|code':
      return e.system === null && e.code !== null ? `|${escape(e.code)}` : undefined;
    case 'system|':
      return e.system !== null ? `${escape(e.system)}|` : undefined;
  }
}

export type Precision = 'year' | 'month' | 'day' | 'minute' | 'second' | 'ms';
const PRECISIONS: Precision[] = ['year', 'month', 'day', 'day', 'minute', 'second', 'ms'];
const ZONES = ['Z', '', '+02:00', '-05:00'];

/** `ms` written at `precision`, in `zone` (`''` is no zone, read as UTC). */
export function dateLiteral(ms: number, precision: Precision, zone: string): string {
  const offset =
    zone === '' || zone === 'Z'
      ? 0
      : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4))) * 60_000;
  const iso = new Date(ms + offset).toISOString(); // YYYY-MM-DDThh:mm:ss.sssZ
  switch (precision) {
    case 'year':
      return iso.slice(0, 4);
    case 'month':
      return iso.slice(0, 7);
    case 'day':
      return iso.slice(0, 10);
    case 'minute':
      return iso.slice(0, 16) + zone;
    case 'second':
      return iso.slice(0, 19) + zone;
    case 'ms':
      return iso.slice(0, 23) + zone;
  }
}

/** A date near one end of a stored range, at a random precision and zone. */
export function dateValue(
  p: Picker,
  r: DateRange,
  prefix: Prefix,
  precisions = PRECISIONS,
): string | undefined {
  const anchor = Number.isFinite(r.lo) && (p.chance(0.7) || !Number.isFinite(r.hi)) ? r.lo : r.hi;
  if (!Number.isFinite(anchor)) return undefined;
  return `${prefix}${dateLiteral(anchor, p.pick(precisions), p.pick(ZONES))}`;
}

export function decLiteral(d: Dec): string {
  const negative = d.digits < 0n;
  let digits = (negative ? -d.digits : d.digits).toString();
  if (d.scale > 0) {
    digits = digits.padStart(d.scale + 1, '0');
    digits = `${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}`;
  } else if (d.scale < 0) digits += '0'.repeat(-d.scale);
  return (negative ? '-' : '') + digits;
}

/** The stored number as written, with extra zeros, or rounded to fewer places (precision matters for eq). */
export function numberLiteral(p: Picker, d: Dec): string {
  const text = decLiteral(d);
  const roll = p.int(4);
  if (roll === 0) return text.includes('.') ? `${text}0` : `${text}.0`;
  if (roll === 1 && d.scale > 0) return decLiteral({ digits: d.digits / 10n ** BigInt(d.scale), scale: 0 });
  return text;
}

export function quantityValue(
  p: Picker,
  e: QuantityEntry,
  prefix: Prefix,
  unit: 0 | 1 | 2,
): string | undefined {
  const number = `${prefix}${numberLiteral(p, e.value)}`;
  if (unit === 0) return number;
  if (unit === 1)
    return e.system !== null && e.code !== null
      ? `${number}|${escape(e.system)}|${escape(e.code)}`
      : undefined;
  const code = e.code ?? e.unit;
  return code !== null ? `${number}||${escape(code)}` : undefined;
}

/**
 * Whether a stored reference can be asked for: the server refuses `#contained` values and
 * targets outside the parameter's target types (invalid data some examples carry).
 */
export function searchable(def: ParamDef, e: ReferenceEntry): boolean {
  if (e.kind === 'url') return !e.url.startsWith('#');
  return e.kind !== 'local' || def.target.length === 0 || def.target.includes(e.type);
}

export function referenceValue(
  def: ParamDef,
  e: ReferenceEntry,
  form: 'Type/id' | 'id' | 'absolute',
  base: string,
): string | undefined {
  if (!searchable(def, e)) return undefined;
  if (e.kind === 'url') return form === 'Type/id' ? escape(e.url) : undefined;
  if (e.kind !== 'local') return undefined;
  if (form === 'id') return e.id;
  return form === 'absolute' ? `${base}/${e.type}/${e.id}` : `${e.type}/${e.id}`;
}

/** A value `h` matches, for any parameter type (chains, _has, combined queries, composite parts). */
export function basicValue(p: Picker, def: ParamDef, entries: unknown[], base: string): string | undefined {
  switch (def.type) {
    case 'string':
      return stringValue(p, p.pick(entries as StringEntry[]).exact, 'prefix');
    case 'token': {
      const e = p.pick(entries as TokenEntry[]);
      return tokenValue(e, 'system|code') ?? tokenValue(e, 'code');
    }
    case 'date': {
      // ge with the year of the start matches the range whatever its extent.
      const r = p.pick(entries as DateRange[]);
      return Number.isFinite(r.lo) ? `ge${dateLiteral(r.lo, 'year', '')}` : undefined;
    }
    case 'number':
      return `ge${decLiteral(p.pick(entries as Dec[]))}`;
    case 'quantity':
      return quantityValue(p, p.pick(entries as QuantityEntry[]), 'le', p.chance(0.5) ? 0 : 1);
    case 'reference':
      return referenceValue(def, p.pick(entries as ReferenceEntry[]), 'Type/id', base);
    case 'uri':
      return escape(p.pick(entries as string[]));
    case 'composite': {
      const g = p.pick(entries as CompositeGroup[]);
      const parts = g.parts.map((part) => basicValue(p, part.def, part.entries, base));
      return parts.every((v) => v !== undefined) ? parts.join('$') : undefined;
    }
    default:
      return undefined;
  }
}

export function holderValue(p: Picker, h: Holder, base: string): string | undefined {
  return basicValue(p, h.def, h.entries, base);
}
