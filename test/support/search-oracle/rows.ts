import { basicValue, dateLiteral, searchable, tokenValue } from './build.ts';
import type { DateRange } from './date.ts';
import type { ParamType } from './definitions.ts';
import type { Made } from './generate.ts';
import type { Holder, Picker } from './pick.ts';
import type { ReferenceEntry } from './reference.ts';
import type { StringEntry } from './string.ts';
import type { TokenEntry } from './token.ts';
import { escape, PREFIXES } from './values.ts';

/** Generator rows for :missing, the special parameters, chains, _has and queries that match nothing. */

type Local = Extract<ReferenceEntry, { kind: 'local' }>;

/** References of `h` to resources that are stored (chains and _has follow only those). */
function liveTargets(p: Picker, h: Holder): Local[] {
  return (h.entries as ReferenceEntry[]).filter(
    (e): e is Local => e.kind === 'local' && searchable(h.def, e) && p.ds.get(e.type, e.id) !== undefined,
  );
}

const MISSING_TYPES: ParamType[] = ['string', 'token', 'reference', 'date', 'quantity', 'uri', 'number'];

export function missingQuery(p: Picker, i: number): Made {
  const c = p.pick(p.candidatesOf(MISSING_TYPES[i % MISSING_TYPES.length]!));
  return { type: c.type, params: [[`${c.def.code}:missing`, i % 2 ? 'false' : 'true']] };
}

export function specialQuery(p: Picker, i: number): Made {
  const type = p.pick(p.ds.types());
  const s = p.pick(p.ds.ofType(type));
  // README: :missing works for every parameter, these two included.
  if (i === 23) return { type, params: [['_id:missing', 'false']] };
  if (i === 24) return { type, params: [['_lastUpdated:missing', 'true']] };
  if (i < 5) {
    const other = p.pick(p.ds.ofType(type));
    const values = [s.id, `${s.id},${other.id}`, s.id, `${s.id},no-such-id`, `${other.id},${s.id}`];
    return values[i] === `${s.id},${s.id}` ? undefined : { type, params: [['_id', values[i]!]] };
  }
  if (i < 14) {
    const lastUpdated = p.ds.defs.get(type, '_lastUpdated')!;
    const r = p.pick(p.ds.entries(s, lastUpdated) as DateRange[]);
    const precision = p.pick(['second', 'ms', 'minute', 'day', 'year'] as const);
    const zone = p.pick(['Z', '', '+01:00']);
    return { type, params: [['_lastUpdated', `${PREFIXES[i - 5]}${dateLiteral(r.lo, precision, zone)}`]] };
  }
  if (i < 19) {
    const h = p.holder('token', () => true, '_tag');
    const e = p.pick(h.entries as TokenEntry[]);
    const forms: [string, string | undefined][] = [
      ['_tag', tokenValue(e, 'system|code')],
      ['_tag', tokenValue(e, 'code')],
      ['_tag:not', tokenValue(e, 'system|code')],
      ['_tag', tokenValue(e, 'system|')],
      ['_tag:missing', 'false'],
    ];
    const [name, value] = forms[i - 14]!;
    return value === undefined ? undefined : { type: h.type, params: [[name, value]] };
  }
  const h = p.holder('uri', () => true, '_profile');
  const u = p.pick(h.entries as string[]);
  const forms: [string, string][] = [
    ['_profile', u],
    ['_profile:below', u.slice(0, u.lastIndexOf('/') + 1)],
    ['_profile:missing', 'false'],
    ['_profile:above', `${u}/child`],
  ];
  return { type: h.type, params: [forms[i - 19]!] };
}

export function chainQuery(p: Picker, i: number): Made {
  // The two shapes the issue names, then random ones (some two levels deep).
  if (i === 0) {
    const h = p.holder(
      'reference',
      (x) => x.type === 'Observation' && liveTargets(p, x).some((e) => e.type === 'Patient'),
      'subject',
    );
    const patient = p.ds.get('Patient', p.pick(liveTargets(p, h).filter((e) => e.type === 'Patient')).id)!;
    const family = p.ds.entries(patient, p.ds.defs.get('Patient', 'family')!) as StringEntry[];
    return family.length
      ? { type: 'Observation', params: [['subject:Patient.family', escape(p.pick(family).exact)]] }
      : undefined;
  }
  if (i === 1) {
    const h = p.holder('reference', (x) => x.type === 'Encounter' && liveTargets(p, x).length > 0, 'patient');
    const patient = p.ds.get('Patient', p.pick(liveTargets(p, h)).id)!;
    const birthDate = patient.resource.birthDate;
    return typeof birthDate === 'string'
      ? { type: 'Encounter', params: [['patient.birthdate', birthDate]] }
      : undefined;
  }
  const h = p.holder('reference', (x) => liveTargets(p, x).length > 0);
  const e = p.pick(liveTargets(p, h));
  let chain = p.chance(0.5) ? `${h.def.code}:${e.type}` : h.def.code;
  let target = p.ds.get(e.type, e.id)!;
  if (p.chance(0.35)) {
    const next = p.holderOn(target, ['reference'], (x) => liveTargets(p, x).length > 0);
    if (next) {
      const e2 = p.pick(liveTargets(p, next));
      chain += `.${next.def.code}`;
      target = p.ds.get(e2.type, e2.id)!;
    }
  }
  const leaf = p.holderOn(target, ['string', 'token', 'date']);
  const value = leaf && basicValue(p, leaf.def, leaf.entries, p.ds.base);
  return leaf && value !== undefined
    ? { type: h.type, params: [[`${chain}.${leaf.def.code}`, value]] }
    : undefined;
}

export function hasQuery(p: Picker, i: number): Made {
  const h = p.holder('reference', (x) => liveTargets(p, x).length > 0);
  const e = p.pick(liveTargets(p, h));
  const leaf = p.holderOn(h.s, ['token', 'string']);
  const value = leaf && basicValue(p, leaf.def, leaf.entries, p.ds.base);
  if (!leaf || value === undefined) return undefined;
  const inner = `_has:${h.type}:${h.def.code}:${leaf.def.code}`;
  if (i < 3) return { type: e.type, params: [[inner, value]] };
  // Nested: what the target references, found through the resource that references the target.
  const target = p.ds.get(e.type, e.id)!;
  const up = p.holderOn(target, ['reference'], (x) => liveTargets(p, x).length > 0);
  if (!up) return undefined;
  const top = p.pick(liveTargets(p, up));
  return { type: top.type, params: [[`_has:${target.type}:${up.def.code}:${inner}`, value]] };
}

export function noMatchQuery(p: Picker, i: number): Made {
  const kinds: [ParamType, string][] = [
    ['string', 'zzqxjv'],
    ['token', 'http://example.org/no-such-system|no-such-code'],
    ['reference', ''],
    ['date', 'eq1801-02-03'],
    ['quantity', 'eq987654321'],
    ['uri', 'http://example.org/no/such/uri'],
    ['token', 'no-such-code'],
    ['number', 'eq987654321'],
    ['string', ''],
    ['composite', ''],
  ];
  const [paramType, value] = kinds[i % kinds.length]!;
  if (i % kinds.length === 6) return { type: p.pick(p.ds.types()), params: [['_id', 'no-such-id']] };
  const h = p.holder(paramType);
  if (paramType === 'string' && value === '') {
    // :exact is case-sensitive: the value in capitals matches only where it is stored in capitals.
    const e = p.pick(h.entries as StringEntry[]);
    return e.exact.toUpperCase() === e.exact
      ? undefined
      : { type: h.type, params: [[`${h.def.code}:exact`, escape(e.exact.toUpperCase())]] };
  }
  if (paramType === 'composite') {
    const v = basicValue(p, h.def, [p.pick(h.entries)], p.ds.base);
    const rest = v?.split(/(?<!\\)\$/).slice(1);
    return rest
      ? { type: h.type, params: [[h.def.code, ['http://example.org/none|none', ...rest].join('$')]] }
      : undefined;
  }
  if (paramType === 'reference') {
    // A type the parameter may refer to: others are refused with 400.
    return { type: h.type, params: [[h.def.code, `${h.def.target[0] ?? 'Patient'}/no-such-id`]] };
  }
  return { type: h.type, params: [[h.def.code, value]] };
}
