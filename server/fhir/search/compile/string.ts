import { unescapeValue } from '../values/escape.ts';
import { normalizeText } from '../values/normalize.ts';
import { FhirError } from '../../errors.ts';
import { or, unsupportedModifier, type ParamCompiler } from './context.ts';
import type { Predicate } from '../types.ts';

/** string: starts-with on the normalised value; `:contains`, `:exact` (case and accents count). */
export const compileString: ParamCompiler = (q) =>
  or(
    q.values.map((raw) => {
      const value = unescapeValue(raw);
      if (value === '') throw new FhirError(400, `${q.name}: empty value`, { code: 'value' });
      let where: Predicate;
      if (q.modifier === undefined) where = { op: 'prefix', column: 'norm', value: normalizeText(value) };
      else if (q.modifier === 'contains')
        where = { op: 'contains', column: 'norm', value: normalizeText(value) };
      else if (q.modifier === 'exact') where = { op: 'eq', column: 'exact', value };
      else unsupportedModifier(q);
      return { kind: 'index', table: 'string', params: [q.param.key], where: [where] };
    }),
  );
