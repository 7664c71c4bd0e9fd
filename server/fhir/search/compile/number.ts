import { unescapeValue } from '../values/escape.ts';
import { parseNumberValue } from '../values/number.ts';
import { splitPrefix, type Prefix } from '../values/prefix.ts';
import type { Predicate } from '../types.ts';
import { or, unsupportedModifier, type ParamCompiler } from './context.ts';

function negate(p: { op: 'ge' | 'lt' | 'le'; column: string; value: number }): Predicate {
  const op = ({ ge: 'lt', lt: 'ge', le: 'gt' } as const)[p.op];
  return { ...p, op };
}

/** `eq`/`ne` use the value's implicit precision range [lo, hi); the others the value itself. */
export function numberPredicate(prefix: Prefix, n: { value: number; lo: number; hi: number }): Predicate {
  const column = 'value';
  // With many digits the precision range is narrower than a double's spacing, and a bound
  // can round onto the value itself; the value then bounds the range (stored values are
  // doubles too, so nothing lies between).
  const lower =
    n.lo < n.value
      ? ({ op: 'ge', column, value: n.lo } as const)
      : ({ op: 'ge', column, value: n.value } as const);
  const upper =
    n.hi > n.value
      ? ({ op: 'lt', column, value: n.hi } as const)
      : ({ op: 'le', column, value: n.value } as const);
  switch (prefix) {
    case 'eq':
      return { op: 'and', args: [lower, upper] };
    case 'ne':
      return { op: 'or', args: [negate(lower), negate(upper)] };
    case 'gt':
    case 'sa':
      return { op: 'gt', column, value: n.value };
    case 'lt':
    case 'eb':
      return { op: 'lt', column, value: n.value };
    case 'ge':
      return { op: 'ge', column, value: n.value };
    case 'le':
      return { op: 'le', column, value: n.value };
    case 'ap': {
      const d = Math.abs(n.value) * 0.1;
      return {
        op: 'and',
        args: [
          { op: 'ge', column, value: n.value - d },
          { op: 'le', column, value: n.value + d },
        ],
      };
    }
  }
}

export const compileNumber: ParamCompiler = (q) => {
  if (q.modifier !== undefined) unsupportedModifier(q);
  return or(
    q.values.map((raw) => {
      const { prefix, rest } = splitPrefix(unescapeValue(raw), q.name);
      return {
        kind: 'index',
        table: 'number',
        params: [q.param.key],
        where: [numberPredicate(prefix, parseNumberValue(q.name, rest))],
      };
    }),
  );
};
