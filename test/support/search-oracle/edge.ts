import { dateLiteral, decLiteral } from './build.ts';
import type { DateRange } from './date.ts';
import type { ParamDef, ParamType, Typed } from './definitions.ts';
import type { Made } from './generate.ts';
import type { Picker } from './pick.ts';
import { escape } from './values.ts';

/**
 * Rules that random values seldom reach, each aimed at on purpose: one query per maker, with
 * the value taken from the first stored data that has the shape in question.
 */

interface Found {
  type: string;
  def: ParamDef;
  v: Typed;
}

/** A stored FHIRPath value of a `paramType` parameter with the shape `test` asks for. */
function find(
  p: Picker,
  paramType: ParamType,
  test: (v: Typed, def: ParamDef) => boolean,
): Found | undefined {
  const found: Found[] = [];
  for (const c of p.candidatesOf(paramType)) {
    for (const s of c.holders) {
      for (const v of p.ds.typed(s, c.def)) if (test(v, c.def)) found.push({ type: c.type, def: c.def, v });
    }
  }
  return found.length ? p.pick(found) : undefined;
}

const made = (
  f: Found | undefined,
  name: (f: Found) => string,
  value: (f: Found) => string | undefined,
): Made => {
  const v = f && value(f);
  return f && v !== undefined ? { type: f.type, params: [[name(f), v]] } : undefined;
};

const MAKERS: ((p: Picker) => Made)[] = [
  // :text reads Identifier.type.text too.
  (p) => {
    const f = find(p, 'token', (v) => v.type === 'Identifier' && typeof v.value.type?.text === 'string');
    return made(
      f,
      (x) => `${x.def.code}:text`,
      (x) => escape(String(x.v.value.type.text).slice(0, 6).toLowerCase()),
    );
  },
  // A versioned reference (Type/id/_history/n) is found by Type/id.
  (p) => {
    const f = find(
      p,
      'reference',
      (v) => v.type === 'Reference' && /^[A-Z]\w+\/[^/]+\/_history\//.test(v.value.reference ?? ''),
    );
    return made(
      f,
      (x) => x.def.code,
      (x) => String(x.v.value.reference).replace(/\/_history\/.*$/, ''),
    );
  },
  // Under where(resolve() is T), a Reference that has both a reference and an identifier keeps both.
  (p) => {
    const f = find(
      p,
      'reference',
      (v, def) =>
        v.type === 'Reference' &&
        typeof v.value.reference === 'string' &&
        typeof v.value.identifier?.value === 'string' &&
        def.expression.includes('resolve()'),
    );
    return made(
      f,
      (x) => `${x.def.code}:identifier`,
      (x) => escape(x.v.value.identifier.value),
    );
  },
  // A Period without end is open towards the future.
  (p) => {
    const f = find(
      p,
      'date',
      (v) => v.type === 'Period' && typeof v.value.start === 'string' && !v.value.end,
    );
    return made(
      f,
      (x) => x.def.code,
      () => 'gt2100-01-01',
    );
  },
  // A Period without start is open towards the past.
  (p) => {
    const f = find(
      p,
      'date',
      (v) => v.type === 'Period' && typeof v.value.end === 'string' && !v.value.start,
    );
    return made(
      f,
      (x) => x.def.code,
      () => 'lt1800',
    );
  },
  // ||unit matches Quantity.unit where it differs from the code.
  (p) => {
    const f = find(
      p,
      'quantity',
      (v) =>
        typeof v.value?.unit === 'string' && v.value.unit !== v.value.code && /^[\w ./]+$/.test(v.value.unit),
    );
    return made(
      f,
      (x) => x.def.code,
      (x) => `${x.v.value.value}||${escape(x.v.value.unit)}`,
    );
  },
  // Money is indexed under urn:iso:std:iso:4217.
  (p) => {
    const f = find(p, 'quantity', (v) => v.type === 'Money' && typeof v.value.currency === 'string');
    return made(
      f,
      (x) => x.def.code,
      (x) => `${x.v.value.value}|urn:iso:std:iso:4217|${x.v.value.currency}`,
    );
  },
  // An instant at millisecond precision matches itself with eq.
  (p) => {
    const f = find(p, 'date', (v) => v.type === 'instant' && /\.\d{3}/.test(v.value));
    return made(
      f,
      (x) => x.def.code,
      (x) => `eq${x.v.value}`,
    );
  },
  // A Timing with a bounds Period is found within those bounds.
  (p) => {
    const f = find(
      p,
      'date',
      (v) => v.type === 'Timing' && typeof v.value.repeat?.boundsPeriod?.start === 'string',
    );
    return made(
      f,
      (x) => x.def.code,
      (x) => `ge${String(x.v.value.repeat.boundsPeriod.start).slice(0, 10)}`,
    );
  },
  // A string that holds a comma is asked for with an escaped one.
  (p) => {
    const f = find(p, 'string', (v) => typeof v.value === 'string' && /^[^,]{2,20}, /.test(v.value));
    return made(
      f,
      (x) => `${x.def.code}:exact`,
      (x) => escape(x.v.value),
    );
  },
  // A reference parameter whose only values in some resources are #contained ones.
  (p) => {
    const f = find(
      p,
      'reference',
      (v, def) =>
        v.type === 'Reference' && String(v.value.reference).startsWith('#') && def.code !== 'patient',
    );
    return made(
      f,
      (x) => `${x.def.code}:missing`,
      () => 'true',
    );
  },
  // A date with seconds and a zone east of UTC.
  (p) => {
    const c = p.pick(p.candidatesOf('date'));
    const r = p.ds.entries(p.pick(c.holders), c.def)[0] as DateRange;
    return Number.isFinite(r.lo)
      ? { type: c.type, params: [[c.def.code, `le${dateLiteral(r.lo, 'second', '+05:30')}`]] }
      : undefined;
  },
  // A decimal asked for with more places than stored: the range narrows to the stored value.
  (p) => {
    const c = p.pick(p.candidatesOf('number'));
    const d = p.ds.entries(p.pick(c.holders), c.def)[0] as { digits: bigint; scale: number };
    return { type: c.type, params: [[c.def.code, `${decLiteral(d)}${d.scale > 0 ? '' : '.'}000`]] };
  },
];

export const EDGE_COUNT = MAKERS.length;

export function edgeQuery(p: Picker, i: number): Made {
  return MAKERS[i]!(p);
}
