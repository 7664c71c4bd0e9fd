import { parseDateRange } from '../values/date.ts';
import { splitPrefix, type Prefix } from '../values/prefix.ts';
import { unescapeValue } from '../values/escape.ts';
import type { Predicate } from '../types.ts';
import { or, unsupportedModifier, type ParamCompiler } from './context.ts';

const DAY = 86_400_000;

/**
 * Row predicates for a date prefix: search range [slo, shi] against the stored range
 * [lo, hi] (both inclusive), as written out in the search README.
 */
export function datePredicate(prefix: Prefix, slo: number, shi: number, now: number): Predicate {
  const eq: Predicate = {
    op: 'and',
    args: [
      { op: 'ge', column: 'lo', value: slo },
      // Implied by the next (lo <= hi), but it bounds the index range on `lo` from both sides,
      // so the planner estimates one day's rows, not every row after it.
      { op: 'le', column: 'lo', value: shi },
      { op: 'le', column: 'hi', value: shi },
    ],
  };
  switch (prefix) {
    case 'eq':
      return eq;
    case 'ne':
      return {
        op: 'or',
        args: [
          { op: 'lt', column: 'lo', value: slo },
          { op: 'gt', column: 'hi', value: shi },
        ],
      };
    case 'gt':
      return { op: 'gt', column: 'hi', value: shi };
    case 'lt':
      return { op: 'lt', column: 'lo', value: slo };
    case 'ge':
      return { op: 'or', args: [{ op: 'gt', column: 'hi', value: shi }, eq] };
    case 'le':
      return { op: 'or', args: [{ op: 'lt', column: 'lo', value: slo }, eq] };
    case 'sa':
      return { op: 'gt', column: 'lo', value: shi };
    case 'eb':
      return { op: 'lt', column: 'hi', value: slo };
    case 'ap': {
      // Whole milliseconds: the index columns are integers.
      const widen = Math.round(Math.max(DAY, Math.abs(now - slo) * 0.1));
      return {
        op: 'and',
        args: [
          { op: 'le', column: 'lo', value: shi + widen },
          { op: 'ge', column: 'hi', value: slo - widen },
        ],
      };
    }
  }
}

export const compileDatePredicates = (name: string, raw: string, now: number): Predicate => {
  const { prefix, rest } = splitPrefix(unescapeValue(raw), name);
  const { lo, hi } = parseDateRange(name, rest);
  return datePredicate(prefix, lo, hi, now);
};

export const compileDate: ParamCompiler = (q, ctx) => {
  if (q.modifier !== undefined) unsupportedModifier(q);
  return or(
    q.values.map((raw) => ({
      kind: 'index',
      table: 'date',
      params: [q.param.key],
      where: [compileDatePredicates(q.name, raw, ctx.now)],
    })),
  );
};
