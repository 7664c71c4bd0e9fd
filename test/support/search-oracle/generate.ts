import type { Dataset } from './dataset.ts';
import { apMargin, parseDateQuery, type DateRange } from './date.ts';
import { EDGE_COUNT, edgeQuery } from './edge.ts';
import * as m from './makers.ts';
import { hash, Picker, prng } from './pick.ts';
import { expectedIds, type QueryParams } from './query.ts';
import { chainQuery, hasQuery, missingQuery, noMatchQuery, specialQuery } from './rows.ts';
import { PREFIXES } from './values.ts';

/**
 * The query plan: a fixed list of groups with fixed sizes (so mocha can name one test per ten
 * queries before the data is loaded), each filled from the stored data with a seeded PRNG.
 */

export interface Query {
  group: string;
  type: string;
  params: QueryParams;
  /** Sorted `Type/id` the oracle expects. */
  expected: string[];
}

export type Made = { type: string; params: QueryParams } | undefined;

interface Row {
  group: string;
  count: number;
  /** What the oracle's answer should be; most rows want matches, so that they test something. */
  want?: 'non-empty' | 'empty' | 'any';
  make: (p: Picker, i: number) => Made;
}

const ROWS: Row[] = [
  { group: 'string (starts with)', count: 18, make: m.str('prefix') },
  { group: 'string :exact', count: 8, make: m.str('exact') },
  { group: 'string :contains', count: 8, make: m.str('contains') },
  {
    group: 'string accents and case',
    count: 4,
    make: (p, i) => m.str(i % 2 ? 'exact' : 'prefix', true)(p, i),
  },
  { group: 'string OR', count: 4, make: m.stringOr },
  { group: 'token code', count: 12, make: m.token('code') },
  { group: 'token system|code', count: 12, make: m.token('system|code') },
  { group: 'token |code', count: 5, make: m.token('|code') },
  { group: 'token system|', count: 5, make: m.token('system|') },
  { group: 'token :not', count: 8, make: (p, i) => m.token(i % 2 ? 'code' : 'system|code', 'not')(p, i) },
  { group: 'token :text', count: 8, make: m.tokenText },
  { group: 'token :of-type', count: 5, make: m.tokenOfType },
  { group: 'token OR', count: 5, make: m.tokenOr },
  { group: 'token AND (repeated parameter)', count: 5, make: m.tokenAnd },
  { group: 'reference Type/id', count: 6, make: m.reference('Type/id') },
  { group: 'reference absolute URL on this server', count: 3, make: m.reference('absolute') },
  { group: 'reference id', count: 5, make: m.reference('id') },
  { group: 'reference :Type', count: 6, make: m.reference('Type') },
  { group: 'reference :identifier', count: 5, make: m.reference('identifier') },
  { group: 'reference external URL or canonical', count: 4, make: m.reference('url') },
  { group: 'reference OR', count: 4, make: m.referenceOr },
  ...PREFIXES.map((prefix): Row => ({ group: `date ${prefix}`, count: 5, make: m.date(prefix) })),
  { group: 'number', count: 14, make: m.number },
  { group: 'quantity', count: 20, make: m.quantity },
  { group: 'uri', count: 15, make: m.uri },
  { group: 'composite', count: 12, make: m.composite },
  { group: ':missing', count: 14, want: 'any', make: missingQuery },
  { group: 'special (_id _lastUpdated _tag _profile)', count: 25, want: 'any', make: specialQuery },
  { group: 'chain', count: 8, make: chainQuery },
  { group: '_has', count: 5, make: hasQuery },
  { group: 'several parameters (AND)', count: 5, make: m.combined },
  { group: 'edge cases', count: EDGE_COUNT, want: 'any', make: edgeQuery },
  { group: 'no match', count: 10, want: 'empty', make: noMatchQuery },
];

export const PLAN: readonly { group: string; count: number }[] = ROWS.map(({ group, count }) => ({
  group,
  count,
}));

const HOUR = 3_600_000;

/** Queries whose `ap` window edge falls within an hour of some stored value depend on the clock. */
function onApEdge(ds: Dataset, q: { type: string; params: QueryParams }): boolean {
  return q.params.some(([name, value]) => {
    const def = ds.defs.get(q.type, name.split(':')[0]!);
    if (def?.type !== 'date' || !value.startsWith('ap')) return false;
    const { range } = parseDateQuery(value);
    return ds
      .ofType(q.type)
      .some((s) => (ds.entries(s, def) as DateRange[]).some((r) => apMargin(range, r, ds.now) < HOUR));
  });
}

/** Fills every group of the plan; the same seed and data give the same queries. */
export function generate(ds: Dataset, seed = 20240601): Map<string, Query[]> {
  const out = new Map<string, Query[]>();
  const seen = new Set<string>();
  const picker = new Picker(ds, prng(seed));
  for (const row of ROWS) {
    picker.rand = prng(hash(`${seed} ${row.group}`));
    const want = row.want ?? 'non-empty';
    const queries: Query[] = [];
    for (let i = 0; i < row.count; i++) {
      let chosen: Query | undefined;
      for (let attempt = 0; attempt < 80 && !chosen; attempt++) {
        const made = row.make(picker, i);
        if (!made) continue;
        const key = `${made.type}?${new URLSearchParams(made.params)}`;
        if (seen.has(key) || onApEdge(ds, made)) continue;
        const expected = expectedIds(ds, made.type, made.params);
        const fits = want === 'any' || (want === 'empty') === (expected.length === 0);
        if (fits || (want === 'non-empty' && attempt >= 60)) {
          seen.add(key);
          chosen = { group: row.group, ...made, expected };
        }
      }
      if (!chosen) throw new Error(`oracle generator: could not fill ${row.group} #${i + 1}`);
      queries.push(chosen);
    }
    out.set(row.group, queries);
  }
  return out;
}
