import { compositeGroups, matchComposite, type CompositeGroup } from './composite.ts';
import { dateEntries, matchDate } from './date.ts';
import { Definitions, type ParamDef, type ParamType, type Typed } from './definitions.ts';
import { matchNumber, matchQuantity, numberEntries, quantityEntries } from './number.ts';
import { matchReference, referenceEntries } from './reference.ts';
import { matchString, stringEntries, type StringModifier } from './string.ts';
import { matchToken, tokenEntries, type TokenModifier } from './token.ts';
import { matchUri, uriEntries, type UriModifier } from './uri.ts';

/** The stored resources the oracle searches, with each parameter's index values computed once. */

type Json = Record<string, any>;

export interface Stored {
  type: string;
  id: string;
  resource: Json;
}

export class Dataset {
  private readonly byType = new Map<string, Stored[]>();
  private readonly byKey = new Map<string, Stored>();
  private readonly cache = new Map<string, unknown[]>();

  /** `now` fixes the `ap` window for dates; `base` is the server's base URL for references. */
  constructor(
    resources: Stored[],
    readonly base: string,
    readonly defs: Definitions = new Definitions(),
    readonly now: number = Date.now(),
  ) {
    for (const s of resources) {
      const key = `${s.type}/${s.id}`;
      if (this.byKey.has(key)) throw new Error(`oracle: ${key} twice`);
      this.byKey.set(key, s);
      let list = this.byType.get(s.type);
      if (!list) this.byType.set(s.type, (list = []));
      list.push(s);
    }
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }

  ofType(type: string): Stored[] {
    return this.byType.get(type) ?? [];
  }

  get(type: string, id: string): Stored | undefined {
    return this.byKey.get(`${type}/${id}`);
  }

  /** The FHIRPath values of `def` on `s`. */
  typed(s: Stored, def: ParamDef): Typed[] {
    return this.defs
      .partsFor(def, s.type)
      .flatMap((part) => this.defs.evaluatePart(s.resource, s.resource, part));
  }

  /** The index values of `def` on `s`: entries of the parameter's type, or composite groups. */
  entries(s: Stored, def: ParamDef): unknown[] {
    const key = `${s.type}/${s.id} ${def.url}`;
    let entries = this.cache.get(key);
    if (!entries) {
      entries =
        def.type === 'composite'
          ? compositeGroups(this, s, def)
          : extract(def.type, this.typed(s, def), this.base);
      this.cache.set(key, entries);
    }
    return entries;
  }

  /** One value (not an OR list) of a non-chained parameter; `:not` and `:missing` are the caller's. */
  matches(s: Stored, def: ParamDef, raw: string, modifier: string): boolean {
    return matchEntries(this, def, this.entries(s, def), raw, modifier);
  }
}

export function extract(type: ParamType, values: Typed[], base: string): unknown[] {
  switch (type) {
    case 'string':
      return stringEntries(values);
    case 'token':
      return tokenEntries(values);
    case 'date':
      return dateEntries(values);
    case 'number':
      return numberEntries(values);
    case 'quantity':
      return quantityEntries(values);
    case 'reference':
      return referenceEntries(values, base);
    case 'uri':
      return uriEntries(values);
    default:
      throw new Error(`oracle: cannot extract ${type}`);
  }
}

export function matchEntries(
  ds: Dataset,
  def: ParamDef,
  entries: unknown[],
  raw: string,
  modifier: string,
): boolean {
  switch (def.type) {
    case 'string':
      return matchString(entries as never, raw, modifier as StringModifier);
    case 'token':
      return matchToken(entries as never, raw, (modifier === 'not' ? '' : modifier) as TokenModifier);
    case 'date':
      return matchDate(entries as never, raw, ds.now);
    case 'number':
      return matchNumber(entries as never, raw);
    case 'quantity':
      return matchQuantity(entries as never, raw);
    case 'reference':
      return matchReference(entries as never, raw, modifier, ds.base);
    case 'uri':
      return matchUri(entries as never, raw, modifier as UriModifier);
    case 'composite':
      return matchComposite(ds, def, entries as CompositeGroup[], raw);
    default:
      throw new Error(`oracle: cannot match ${def.type}`);
  }
}
