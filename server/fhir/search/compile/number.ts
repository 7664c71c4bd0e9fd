import { unescapeValue } from '../values/escape.ts';
import { parseNumberValue } from '../values/number.ts';
import { splitPrefix, type Prefix } from '../values/prefix.ts';
import type { Predicate } from '../types.ts';
import { or, unsupportedModifier, type ParamCompiler } from './context.ts';

/** `eq`/`ne` use the value's implicit precision range [lo, hi); the others the value itself. */
export function numberPredicate(prefix: Prefix, n: { value: number; lo: number; hi: number }): Predicate {
  const column = 'value';
  switch (prefix) {
    case 'eq':
      return {
        op: 'and',
        args: [
          { op: 'ge', column, value: n.lo },
          { op: 'lt', column, value: n.hi },
        ],
      };
    case 'ne':
      return {
        op: 'or',
        args: [
          { op: 'lt', column, value: n.lo },
          { op: 'ge', column, value: n.hi },
        ],
      };
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
