import { FhirError } from '../../errors.ts';
import { isResourceType } from '../../model/type-info.ts';
import { splitUnescaped, unescapeValue } from '../values/escape.ts';
import { parseTokenValue } from '../values/token.ts';
import type { Predicate } from '../types.ts';
import { or, type CompileContext, type ParamCompiler, type ParamQuery } from './context.ts';

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const RELATIVE = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

function referencePredicates(q: ParamQuery, raw: string, ctx: CompileContext, type?: string): Predicate[] {
  let value = unescapeValue(raw);
  if (value === '') throw new FhirError(400, `${q.name}: empty value`, { code: 'value' });
  if (value.startsWith(`${ctx.baseUrl}/`)) value = value.slice(ctx.baseUrl.length + 1);
  const relative = RELATIVE.exec(value);
  if (relative && isResourceType(relative[1]!)) {
    if (type && type !== relative[1]) {
      throw new FhirError(400, `${q.name}: '${value}' is not a ${type} reference`, { code: 'value' });
    }
    checkTarget(q, relative[1]!);
    return [
      { op: 'eq', column: 'targetType', value: relative[1]! },
      { op: 'eq', column: 'targetId', value: relative[2]! },
    ];
  }
  if (ID.test(value)) {
    const where: Predicate[] = [{ op: 'eq', column: 'targetId', value }];
    if (type) where.push({ op: 'eq', column: 'targetType', value: type });
    return where;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    const [url, version] = splitUnescaped(raw, '|').map(unescapeValue);
    const where: Predicate[] = [{ op: 'eq', column: 'url', value: url! }];
    if (version) where.push({ op: 'eq', column: 'version', value: version });
    return where;
  }
  throw new FhirError(400, `${q.name}: '${value}' is not an id, Type/id or absolute URL`, { code: 'value' });
}

function checkTarget(q: ParamQuery, type: string): void {
  if (!q.param.targets.includes(type)) {
    throw new FhirError(
      400,
      `${q.name}: ${q.param.code} cannot refer to ${type} (allowed: ${q.param.targets.join(', ')})`,
      {
        code: 'value',
      },
    );
  }
}

/** reference: `id`, `Type/id`, absolute URL, canonical `url|version`; `:Type`, `:identifier`. */
export const compileReference: ParamCompiler = (q, ctx) => {
  const index = (where: Predicate[]) => ({
    kind: 'index' as const,
    table: 'reference' as const,
    params: [q.param.key],
    where,
  });
  if (q.modifier === 'identifier') {
    return or(
      q.values.map((raw) => {
        const { system, code } = parseTokenValue(q.name, raw);
        const where: Predicate[] = [];
        if (code !== undefined) where.push({ op: 'eq', column: 'identValue', value: code });
        if (system === null) where.push({ op: 'null', column: 'identSystem' });
        else if (system !== undefined) where.push({ op: 'eq', column: 'identSystem', value: system });
        return index(where);
      }),
    );
  }
  if (q.modifier !== undefined) {
    if (!isResourceType(q.modifier)) {
      throw new FhirError(400, `${q.name}: unknown modifier ':${q.modifier}' for a reference parameter`, {
        code: 'not-supported',
      });
    }
    checkTarget(q, q.modifier);
  }
  return or(q.values.map((raw) => index(referencePredicates(q, raw, ctx, q.modifier))));
};
