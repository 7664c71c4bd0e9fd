import { parseQuantityValue } from '../values/quantity.ts';
import type { Predicate } from '../types.ts';
import { or, unsupportedModifier, type ParamCompiler } from './context.ts';
import { numberPredicate } from './number.ts';

export function quantityPredicates(name: string, raw: string): Predicate[] {
  const q = parseQuantityValue(name, raw);
  const where: Predicate[] = [numberPredicate(q.prefix, q.number)];
  if (q.system !== undefined && q.system !== null) {
    where.push({ op: 'eq', column: 'system', value: q.system });
    if (q.code !== undefined) where.push({ op: 'eq', column: 'code', value: q.code });
  } else if (q.code !== undefined) {
    where.push({
      op: 'or',
      args: [
        { op: 'eq', column: 'code', value: q.code },
        { op: 'eq', column: 'unit', value: q.code },
      ],
    });
  }
  return where;
}

/** quantity: `[prefix]number|system|code`, `number||code` (code or unit), `number`. */
export const compileQuantity: ParamCompiler = (q) => {
  if (q.modifier !== undefined) unsupportedModifier(q);
  return or(
    q.values.map((raw) => ({
      kind: 'index',
      table: 'quantity',
      params: [q.param.key],
      where: quantityPredicates(q.name, raw),
    })),
  );
};
