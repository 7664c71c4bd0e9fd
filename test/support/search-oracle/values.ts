/**
 * Value helpers for the search oracle: FHIR search escaping, string normalisation and exact
 * decimals. Written from server/fhir/search/README.md, not from the server's code.
 */

/** Unicode NFD, combining marks removed, lower-cased. */
export function normalize(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Splits on `sep` where it is not escaped with a backslash; escapes stay in the pieces. */
export function splitUnescaped(text: string, sep: ',' | '|' | '$'): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1];
      i++;
    } else if (c === sep) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

/** Removes the escapes of `\,` `\|` `\$` `\\`. */
export function unescape(text: string): string {
  return text.replace(/\\([,|$\\])/g, '$1');
}

/** Escapes a literal so that it survives as one value. */
export function escape(text: string): string {
  return text.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

export const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type Prefix = (typeof PREFIXES)[number];

/** `ge2020` → ['ge', '2020']; no prefix is `eq`. */
export function splitPrefix(text: string): [Prefix, string] {
  const head = text.slice(0, 2) as Prefix;
  return PREFIXES.includes(head) ? [head, text.slice(2)] : ['eq', text];
}

/** An exact decimal: `digits × 10^-scale`. */
export interface Dec {
  digits: bigint;
  scale: number;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Parses a decimal literal (a number from JSON is printed first, which gives its shortest form). */
export function parseDec(value: string | number): Dec | undefined {
  const m = DECIMAL.exec(typeof value === 'number' ? String(value) : value.trim());
  if (!m) return undefined;
  const [, sign, int, frac = '', exp = '0'] = m;
  let digits = BigInt(`${int}${frac}`);
  let scale = frac.length - Number(exp);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits: sign === '-' ? -digits : digits, scale };
}

function align(a: Dec, b: Dec): [bigint, bigint] {
  const s = Math.max(a.scale, b.scale);
  return [a.digits * 10n ** BigInt(s - a.scale), b.digits * 10n ** BigInt(s - b.scale)];
}

export function cmpDec(a: Dec, b: Dec): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function addDec(a: Dec, b: Dec): Dec {
  const [x, y] = align(a, b);
  return { digits: x + y, scale: Math.max(a.scale, b.scale) };
}

export function negDec(a: Dec): Dec {
  return { digits: -a.digits, scale: a.scale };
}

export function absDec(a: Dec): Dec {
  return a.digits < 0n ? negDec(a) : a;
}

/** a × 10^-n, exactly. */
export function shiftDec(a: Dec, n: number): Dec {
  return { digits: a.digits, scale: a.scale + n };
}

/** Half a unit in the last written place of the literal: `100` → 0.5, `100.00` → 0.005. */
export function halfUnit(literal: string): Dec {
  const m = DECIMAL.exec(literal.trim());
  const places = m ? (m[3]?.length ?? 0) - Number(m[4] ?? '0') : 0;
  return { digits: 5n, scale: places + 1 };
}
