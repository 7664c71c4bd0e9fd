import { FhirError } from '../../errors.ts';
import { unescapeValue } from '../values/escape.ts';
import type { Predicate } from '../types.ts';
import { or, unsupportedModifier, type ParamCompiler } from './context.ts';

/** `:above`: the stored URI is the value or a prefix of it — every prefix, one index probe each. */
function prefixes(uri: string): string[] {
  return Array.from({ length: uri.length }, (_, i) => uri.slice(0, i + 1));
}

/** uri: exact; `:below` stored URI starts with the value; `:above` the value starts with it. */
export const compileUri: ParamCompiler = (q) =>
  or(
    q.values.map((raw) => {
      const value = unescapeValue(raw);
      if (value === '') throw new FhirError(400, `${q.name}: empty value`, { code: 'value' });
      let where: Predicate;
      if (q.modifier === undefined) where = { op: 'eq', column: 'uri', value };
      else if (q.modifier === 'below') where = { op: 'prefix', column: 'uri', value };
      else if (q.modifier === 'above') where = { op: 'in', column: 'uri', values: prefixes(value) };
      else unsupportedModifier(q);
      return { kind: 'index', table: 'uri', params: [q.param.key], where: [where] };
    }),
  );
