import { FhirError } from '../../errors.ts';
import { tableOf } from '../extract/indexer.ts';
import { splitUnescaped, unescapeValue } from '../values/escape.ts';
import { normalizeText } from '../values/normalize.ts';
import { parseNumberValue } from '../values/number.ts';
import { splitPrefix } from '../values/prefix.ts';
import type { Predicate, SearchParamType } from '../types.ts';
import { or, unsupportedModifier, type ParamCompiler, type ParamQuery } from './context.ts';
import { compileDatePredicates } from './date.ts';
import { numberPredicate } from './number.ts';
import { quantityPredicates } from './quantity.ts';
import { systemCode } from './token.ts';

function componentPredicates(q: ParamQuery, type: SearchParamType, raw: string, now: number): Predicate[] {
  switch (type) {
    case 'token':
      return systemCode(q, raw);
    case 'quantity':
      return quantityPredicates(q.name, raw);
    case 'date':
      return [compileDatePredicates(q.name, raw, now)];
    case 'number': {
      const { prefix, rest } = splitPrefix(unescapeValue(raw), q.name);
      return [numberPredicate(prefix, parseNumberValue(q.name, rest))];
    }
    case 'string':
      return [{ op: 'prefix', column: 'norm', value: normalizeText(unescapeValue(raw)) }];
    case 'uri':
      return [{ op: 'eq', column: 'uri', value: unescapeValue(raw) }];
    case 'reference':
      return [{ op: 'eq', column: 'targetId', value: unescapeValue(raw) }];
    default:
      throw new FhirError(400, `${q.name}: component of type ${type} is not supported`, {
        code: 'not-supported',
      });
  }
}

/** composite: `part1$part2…`; one group (e.g. one Observation.component) must satisfy all parts. */
export const compileComposite: ParamCompiler = (q, ctx) => {
  if (q.modifier !== undefined) unsupportedModifier(q);
  const components = q.param.components ?? [];
  return or(
    q.values.map((raw) => {
      const values = splitUnescaped(raw, '$');
      if (values.length !== components.length || values.some((v) => v === '')) {
        throw new FhirError(
          400,
          `${q.name}: expected ${components.length} '$'-separated parts, got '${raw}'`,
          {
            code: 'value',
          },
        );
      }
      return {
        kind: 'composite',
        parts: components.map((c, k) => ({
          table: tableOf[c.type]!,
          param: `${q.param.key}$${k}`,
          where: componentPredicates(q, c.type, values[k]!, ctx.now),
        })),
      };
    }),
  );
};
