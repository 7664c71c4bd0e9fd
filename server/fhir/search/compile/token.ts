import { FhirError } from '../../errors.ts';
import { splitUnescaped, unescapeValue } from '../values/escape.ts';
import { normalizeText } from '../values/normalize.ts';
import { parseTokenValue } from '../values/token.ts';
import type { Condition, Predicate } from '../types.ts';
import { or, unsupportedModifier, type ParamCompiler, type ParamQuery } from './context.ts';

export function systemCode(q: ParamQuery, raw: string): Predicate[] {
  const { system, code } = parseTokenValue(q.name, raw);
  const where: Predicate[] = [];
  if (code !== undefined) where.push({ op: 'eq', column: 'code', value: code });
  if (system === null) where.push({ op: 'null', column: 'system' });
  else if (system !== undefined) where.push({ op: 'eq', column: 'system', value: system });
  return where;
}

/**
 * An OR list as few index probes as possible: codes that share a system test (any, none, or
 * the same system) become one `code in (…)`, so a long list stays one EXISTS, not thousands.
 */
function anyOf(q: ParamQuery, values: string[]): Predicate[][] {
  const groups = new Map<string, { system: Predicate | undefined; codes: string[] }>();
  const alone: Predicate[][] = [];
  for (const raw of values) {
    const { system, code } = parseTokenValue(q.name, raw);
    if (code === undefined) {
      alone.push(systemCode(q, raw));
      continue;
    }
    const key = system === undefined ? '*' : system === null ? '-' : `=${system}`;
    let group = groups.get(key);
    if (!group) {
      const test: Predicate | undefined =
        system === undefined
          ? undefined
          : system === null
            ? { op: 'null', column: 'system' }
            : { op: 'eq', column: 'system', value: system };
      groups.set(key, (group = { system: test, codes: [] }));
    }
    group.codes.push(code);
  }
  for (const { system, codes } of groups.values()) {
    const match: Predicate =
      codes.length === 1
        ? { op: 'eq', column: 'code', value: codes[0]! }
        : { op: 'in', column: 'code', values: codes };
    alone.push(system ? [match, system] : [match]);
  }
  return alone;
}

function ofType(q: ParamQuery, raw: string): Predicate[] {
  const parts = splitUnescaped(raw, '|').map(unescapeValue);
  if (parts.length !== 3 || parts.some((p) => p === '')) {
    throw new FhirError(400, `${q.name}: expected 'typeSystem|typeCode|value', got '${raw}'`, {
      code: 'value',
    });
  }
  return [
    { op: 'eq', column: 'typeSystem', value: parts[0]! },
    { op: 'eq', column: 'typeCode', value: parts[1]! },
    { op: 'eq', column: 'code', value: parts[2]! },
  ];
}

/** token: `code`, `system|code`, `|code`, `system|`; `:not`, `:text`, `:of-type`. */
export const compileToken: ParamCompiler = (q) => {
  const index = (where: Predicate[]): Condition => ({
    kind: 'index',
    table: 'token',
    params: [q.param.key],
    where,
  });
  switch (q.modifier) {
    case undefined:
      return or(anyOf(q, q.values).map(index));
    case 'not':
      return { kind: 'not', arg: or(anyOf(q, q.values).map(index)) };
    case 'text':
      return or(
        q.values.map((v) => {
          const value = normalizeText(unescapeValue(v));
          if (!value) throw new FhirError(400, `${q.name}: empty value`, { code: 'value' });
          return index([{ op: 'prefix', column: 'text', value }]);
        }),
      );
    case 'of-type':
      return or(q.values.map((v) => index(ofType(q, v))));
    case 'above':
    case 'below':
    case 'in':
    case 'not-in':
      throw new FhirError(
        400,
        `${q.name}: ':${q.modifier}' needs terminology services (subsumption or ValueSet expansion), which this server does not have`,
        { code: 'not-supported' },
      );
    default:
      return unsupportedModifier(q);
  }
};
