import { FhirError } from '../../errors.ts';
import { tableOf } from '../extract/indexer.ts';
import type { Condition, SearchParamType } from '../types.ts';
import type { CompileContext, ParamCompiler, ParamQuery } from './context.ts';
import { compileComposite } from './composite.ts';
import { compileDate } from './date.ts';
import { compileNumber } from './number.ts';
import { compileQuantity } from './quantity.ts';
import { compileReference } from './reference.ts';
import { compileString } from './string.ts';
import { compileToken } from './token.ts';
import { compileUri } from './uri.ts';

/** One compiler per parameter type: add a type here and nowhere else. */
const compilers: Partial<Record<SearchParamType, ParamCompiler>> = {
  string: compileString,
  token: compileToken,
  date: compileDate,
  number: compileNumber,
  quantity: compileQuantity,
  reference: compileReference,
  uri: compileUri,
  composite: compileComposite,
};

/** Modifiers each type accepts, as listed in the CapabilityStatement. */
export const modifiersOf: Record<SearchParamType, string[]> = {
  string: ['missing', 'exact', 'contains'],
  token: ['missing', 'not', 'text', 'of-type'],
  date: ['missing'],
  number: ['missing'],
  quantity: ['missing'],
  reference: ['missing', 'identifier', 'type'],
  uri: ['missing', 'below', 'above'],
  composite: [],
  special: [],
};

/** `:missing=true|false` for any indexed type: no index value / some index value. */
function compileMissing(q: ParamQuery): Condition {
  if (q.values.length !== 1 || !['true', 'false'].includes(q.values[0]!)) {
    throw new FhirError(400, `${q.name}: ':missing' takes true or false`, { code: 'value' });
  }
  const table = tableOf[q.param.type];
  if (!table) {
    throw new FhirError(400, `${q.name}: ':missing' is not supported for ${q.param.type} parameters`, {
      code: 'not-supported',
    });
  }
  const some: Condition = { kind: 'index', table, params: [q.param.key], where: [] };
  return q.values[0] === 'true' ? { kind: 'not', arg: some } : some;
}

export function compileParam(q: ParamQuery, ctx: CompileContext): Condition {
  if (q.modifier === 'missing') return compileMissing(q);
  const compiler = compilers[q.param.type];
  if (!compiler) {
    throw new FhirError(400, `${q.name}: ${q.param.type} parameters are not supported`, {
      code: 'not-supported',
    });
  }
  return compiler(q, ctx);
}
