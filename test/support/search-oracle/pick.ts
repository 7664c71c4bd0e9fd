import type { Dataset, Stored } from './dataset.ts';
import type { ParamDef, ParamType } from './definitions.ts';

/**
 * Seeded choices over the dataset for the query generator. Resources are taken in load order
 * (never by id: Synthea ids are new on every run), so a seed picks the same data every time.
 */

export interface Holder {
  type: string;
  def: ParamDef;
  s: Stored;
  entries: unknown[];
}

/** mulberry32 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Parameters every resource type has (see candidatesOf). */
const SKIP = new Set(['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source']);

export class Picker {
  private readonly candidates = new Map<string, { type: string; def: ParamDef; holders: Stored[] }[]>();

  constructor(
    readonly ds: Dataset,
    public rand: () => number,
  ) {}

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('oracle generator: nothing to pick from');
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.rand() < p;
  }

  /**
   * Every (resource type, parameter) of `paramType` that some stored resource has a value for.
   * Without `code`, the parameters every type shares (_id, _lastUpdated, meta) are left out:
   * they would crowd out the rest, and have rows of their own.
   */
  candidatesOf(paramType: ParamType, code?: string): { type: string; def: ParamDef; holders: Stored[] }[] {
    const key = `${paramType} ${code ?? ''}`;
    let list = this.candidates.get(key);
    if (!list) {
      list = [];
      for (const type of this.ds.types()) {
        const defs = this.ds.defs
          .paramsOf(type)
          .filter((d) => d.type === paramType && (code === undefined ? !SKIP.has(d.code) : d.code === code))
          .sort((a, b) => a.code.localeCompare(b.code));
        for (const def of defs) {
          const holders = this.ds.ofType(type).filter((s) => this.ds.entries(s, def).length > 0);
          if (holders.length) list.push({ type, def, holders });
        }
      }
      this.candidates.set(key, list);
    }
    return list;
  }

  /**
   * A stored resource with values for a parameter of `paramType`: the parameter first (so rare
   * parameters get their turn), then the resource. `accept` narrows the choice.
   */
  holder(paramType: ParamType, accept: (h: Holder) => boolean = () => true, code?: string): Holder {
    const cands = this.candidatesOf(paramType, code);
    const make = (c: (typeof cands)[number], s: Stored) => ({
      type: c.type,
      def: c.def,
      s,
      entries: this.ds.entries(s, c.def),
    });
    for (let attempt = 0; attempt < 30; attempt++) {
      const c = this.pick(cands);
      const h = make(c, this.pick(c.holders));
      if (accept(h)) return h;
    }
    // Rare values: narrow to the acceptable ones first.
    const narrowed = cands
      .map((c) => ({ c, holders: c.holders.filter((s) => accept(make(c, s))) }))
      .filter((x) => x.holders.length > 0);
    if (!narrowed.length)
      throw new Error(`oracle generator: no acceptable ${paramType}${code ? ` ${code}` : ''} value`);
    const { c, holders } = this.pick(narrowed);
    return make(c, this.pick(holders));
  }

  /**
   * One of the parameters of `paramTypes` that `s` has values for, with those values
   * (_lastUpdated left out: in a chain or a combined query it would select everything).
   */
  holderOn(
    s: Stored,
    paramTypes: ParamType[],
    accept: (h: Holder) => boolean = () => true,
  ): Holder | undefined {
    const defs = this.ds.defs
      .paramsOf(s.type)
      .filter((d) => paramTypes.includes(d.type) && d.code !== '_lastUpdated')
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((def) => ({ type: s.type, def, s, entries: this.ds.entries(s, def) }))
      .filter((h) => h.entries.length > 0 && accept(h));
    return defs.length ? this.pick(defs) : undefined;
  }
}
