import {
  basicValue,
  dateValue,
  numberLiteral,
  quantityValue,
  referenceValue,
  searchable,
  stringValue,
  tokenValue,
  type TokenForm,
} from './build.ts';
import type { DateRange } from './date.ts';
import type { ParamDef, ParamType } from './definitions.ts';
import type { Made } from './generate.ts';
import type { QuantityEntry } from './number.ts';
import type { Holder, Picker } from './pick.ts';
import type { QueryParams } from './query.ts';
import type { ReferenceEntry } from './reference.ts';
import type { StringEntry } from './string.ts';
import type { TokenEntry } from './token.ts';
import { escape, PREFIXES, type Dec, type Prefix } from './values.ts';

/** Generator rows for one parameter type each: a value from a stored resource, put into a query. */

export type Maker = (p: Picker, i: number) => Made;

const one = (type: string, name: string, value: string | undefined): Made =>
  value === undefined ? undefined : { type, params: [[name, value]] };

const isAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);

export function str(mode: 'prefix' | 'contains' | 'exact', nonAscii = false): Maker {
  return (p) => {
    const h = p.holder(
      'string',
      (x) => !nonAscii || (x.entries as StringEntry[]).some((e) => !isAscii(e.exact)),
    );
    const e = p.pick((h.entries as StringEntry[]).filter((x) => !nonAscii || !isAscii(x.exact)));
    if (nonAscii && mode === 'prefix') {
      // Without its accents and in capitals the value still matches (NFD, marks removed, lower-cased).
      const plain = e.exact.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().trim();
      return one(h.type, h.def.code, escape(plain));
    }
    return one(
      h.type,
      mode === 'prefix' ? h.def.code : `${h.def.code}:${mode}`,
      stringValue(p, e.exact, mode),
    );
  };
}

export function token(form: TokenForm, modifier = ''): Maker {
  return (p) => {
    const h = p.holder('token', (x) =>
      (x.entries as TokenEntry[]).some((e) => tokenValue(e, form) !== undefined),
    );
    const values = (h.entries as TokenEntry[]).map((e) => tokenValue(e, form)).filter((v) => v !== undefined);
    return one(h.type, modifier ? `${h.def.code}:${modifier}` : h.def.code, p.pick(values));
  };
}

export const tokenText: Maker = (p) => {
  const h = p.holder('token', (x) => (x.entries as TokenEntry[]).some((e) => e.text !== null));
  const e = p.pick((h.entries as TokenEntry[]).filter((x) => x.text !== null));
  return one(h.type, `${h.def.code}:text`, stringValue(p, e.text!, 'prefix'));
};

export const tokenOfType: Maker = (p) => {
  const typed = (es: unknown[]) => (es as TokenEntry[]).filter((e) => e.types?.length && e.code !== null);
  const h = p.holder('token', (x) => typed(x.entries).length > 0);
  const e = p.pick(typed(h.entries));
  const t = p.pick(e.types!);
  return t.system && t.code
    ? one(h.type, `${h.def.code}:of-type`, `${t.system}|${t.code}|${e.code}`)
    : undefined;
};

/** The same parameter twice, with two codes of one resource. */
export const tokenAnd: Maker = (p) => {
  const codesOf = (es: unknown[]) => [
    ...new Set((es as TokenEntry[]).map((e) => e.code).filter((c) => c !== null)),
  ];
  const h = p.holder('token', (x) => codesOf(x.entries).length > 1);
  const codes = codesOf(h.entries);
  const a = p.pick(codes);
  const b = p.pick(codes.filter((c) => c !== a));
  return {
    type: h.type,
    params: [
      [h.def.code, escape(a)],
      [h.def.code, escape(b)],
    ],
  };
};

/** OR of two values of one parameter from two resources. */
export function orOf(
  paramType: ParamType,
  value: (p: Picker, entries: unknown[], def: ParamDef) => string | undefined,
): Maker {
  return (p) => {
    const c = p.pick(p.candidatesOf(paramType).filter((x) => x.holders.length > 1));
    const a = value(p, p.ds.entries(p.pick(c.holders), c.def), c.def);
    const b = value(p, p.ds.entries(p.pick(c.holders), c.def), c.def);
    return a && b && a !== b ? { type: c.type, params: [[c.def.code, `${a},${b}`]] } : undefined;
  };
}

export const stringOr = orOf('string', (p, es) =>
  stringValue(p, p.pick(es as StringEntry[]).exact, 'prefix'),
);
export const tokenOr = orOf('token', (p, es) => tokenValue(p.pick(es as TokenEntry[]), 'code'));
export const referenceOr = orOf('reference', (p, es, def) =>
  referenceValue(def, p.pick(es as ReferenceEntry[]), 'Type/id', p.ds.base),
);

export function date(prefix: Prefix): Maker {
  return (p) => {
    const h = p.holder('date');
    return one(h.type, h.def.code, dateValue(p, p.pick(h.entries as DateRange[]), prefix));
  };
}

export function reference(form: 'Type/id' | 'id' | 'absolute' | 'url' | 'Type' | 'identifier'): Maker {
  return (p) => {
    const kind = form === 'url' ? 'url' : form === 'identifier' ? 'identifier' : 'local';
    const usable = (h: Holder) =>
      (h.entries as ReferenceEntry[]).filter((e) => e.kind === kind && searchable(h.def, e));
    const h = p.holder('reference', (x) => usable(x).length > 0);
    const e = p.pick(usable(h));
    if (e.kind === 'identifier') {
      const value = e.system !== null && p.chance(0.7) ? `${e.system}|${e.value ?? ''}` : e.value;
      return one(h.type, `${h.def.code}:identifier`, value ?? undefined);
    }
    if (e.kind === 'url') return one(h.type, h.def.code, e.version ? `${e.url}|${e.version}` : e.url);
    if (form === 'Type') return one(h.type, `${h.def.code}:${e.type}`, e.id);
    return one(
      h.type,
      h.def.code,
      referenceValue(h.def, e, form as 'Type/id' | 'id' | 'absolute', p.ds.base),
    );
  };
}

/** Every prefix in turn. */
export const number: Maker = (p, i) => {
  const h = p.holder('number');
  return one(h.type, h.def.code, `${PREFIXES[i % 9]}${numberLiteral(p, p.pick(h.entries as Dec[]))}`);
};

/** Every prefix in turn, with no unit, `|system|code` and `||code` in turn. */
export const quantity: Maker = (p, i) => {
  const h = p.holder('quantity');
  const e = p.pick(h.entries as QuantityEntry[]);
  return one(h.type, h.def.code, quantityValue(p, e, PREFIXES[i % 9]!, (i % 3) as 0 | 1 | 2));
};

/** Exact, :below (the parent path) and :above (a child path) in turn. */
export const uri: Maker = (p, i) => {
  const h = p.holder('uri');
  const u = p.pick(h.entries as string[]);
  if (i % 3 === 0) return one(h.type, h.def.code, u);
  if (i % 3 === 1) {
    const slash = u.lastIndexOf('/');
    return slash > 8 ? one(h.type, `${h.def.code}:below`, u.slice(0, slash)) : undefined;
  }
  return one(h.type, `${h.def.code}:above`, `${u}/sub/${p.int(100)}`);
};

export const composite: Maker = (p) => {
  const h = p.holder('composite');
  return one(h.type, h.def.code, basicValue(p, h.def, [p.pick(h.entries)], p.ds.base));
};

/** Two or three different parameters, all with values of one resource. */
export const combined: Maker = (p) => {
  const h = p.holder('token');
  const params: QueryParams = [];
  const used = new Set<string>();
  for (let k = 0; k < 6 && params.length < 3; k++) {
    const types: ParamType[] = ['string', 'token', 'date', 'reference', 'quantity'];
    const other = p.holderOn(h.s, types, (x) => !used.has(x.def.code));
    const value = other && basicValue(p, other.def, other.entries, p.ds.base);
    if (other && value !== undefined) {
      used.add(other.def.code);
      params.push([other.def.code, value]);
    }
  }
  return params.length > 1 ? { type: h.type, params } : undefined;
};
