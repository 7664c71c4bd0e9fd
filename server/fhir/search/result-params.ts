import { didYouMean } from '../did-you-mean.ts';
import { FhirError } from '../errors.ts';
import { isResourceType, resourceTypes } from '../model/type-info.ts';
import { filterNames } from './known-names.ts';
import type { SearchParamRegistry } from './registry/registry.ts';
import type { IndexTable } from './types.ts';
import { tableOf } from './extract/indexer.ts';

/** Parameters that shape the result rather than select resources. */
export const RESULT_PARAMS = new Set([
  '_count',
  '_sort',
  '_total',
  '_summary',
  '_elements',
  '_include',
  '_revinclude',
  '_include:iterate',
  '_revinclude:iterate',
  '_include:recurse',
  '_revinclude:recurse',
  '_cursor',
  '_type',
]);

export type SortKey =
  | { kind: 'column'; column: 'id' | 'lastUpdated'; descending: boolean; name: string }
  /** `params`: the parameter's key for each type searched (a resource only has its own type's rows). */
  | { kind: 'index'; table: IndexTable; params: string[]; descending: boolean; name: string };

export interface IncludeSpec {
  /** `*` or `Type:param[:Target]` as written, for the self link. */
  text: string;
  iterate: boolean;
  /** Resource type whose references are followed (`_include`) or that refers (`_revinclude`). */
  sourceType: string | '*';
  /** Index keys of the reference parameters; empty with `*` means all of the source type. */
  params: string[];
  targetType?: string;
}

export type Summary = 'true' | 'false' | 'count' | 'data' | 'text';
/** `auto` (no `_total` given): the total only when it costs nothing, i.e. one page holds every match. */
export type TotalMode = 'auto' | 'none' | 'estimate' | 'accurate';

export interface ResultParams {
  count: number;
  sort: SortKey[];
  total: TotalMode;
  summary?: Summary;
  elements?: string[];
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  cursor?: string;
}

export interface ResultLimits {
  defaultSearchCount: number;
  maxSearchCount: number;
}

function once(params: [string, string][], name: string): string | undefined {
  const values = params.filter(([k]) => k === name).map(([, v]) => v);
  if (values.length > 1) throw new FhirError(400, `${name} may only be given once`, { code: 'invalid' });
  return values[0];
}

function parseCount(value: string | undefined, limits: ResultLimits): number {
  if (value === undefined) return limits.defaultSearchCount;
  if (!/^[0-9]{1,9}$/.test(value)) {
    throw new FhirError(400, `_count: '${value}' is not a non-negative integer`, { code: 'value' });
  }
  const count = Number(value);
  if (count > limits.maxSearchCount) {
    throw new FhirError(
      400,
      `_count: ${count} is above this server's maximum page size of ${limits.maxSearchCount}`,
      {
        code: 'too-costly',
      },
    );
  }
  return count;
}

function parseSort(value: string | undefined, types: string[], registry: SearchParamRegistry): SortKey[] {
  if (value === undefined) return [];
  return value.split(',').map((raw): SortKey => {
    const descending = raw.startsWith('-');
    const name = descending ? raw.slice(1) : raw;
    if (name === '_id') return { kind: 'column', column: 'id', descending, name };
    if (name === '_lastUpdated') return { kind: 'column', column: 'lastUpdated', descending, name };
    const keys = new Set<string>();
    let table: IndexTable | undefined;
    for (const type of types) {
      const param = registry.get(type, name);
      if (!param) {
        const hint = didYouMean(name, filterNames(registry, [type]));
        throw new FhirError(400, `_sort: unknown search parameter '${name}' for ${type}${hint}`, {
          code: 'value',
        });
      }
      table = tableOf[param.type];
      if (!table || param.parts.length === 0) {
        throw new FhirError(400, `_sort: '${name}' (${param.type}) cannot be sorted on`, { code: 'value' });
      }
      const t = tableOf[param.type];
      if (table !== undefined && t !== table) {
        throw new FhirError(400, `_sort: '${name}' has different types for the types searched`, {
          code: 'value',
        });
      }
      keys.add(param.key);
    }
    if (keys.size === 0 || !table) {
      throw new FhirError(400, `_sort: '${name}' needs a resource type`, { code: 'value' });
    }
    return { kind: 'index', table, params: [...keys], descending, name };
  });
}

function parseInclude(
  text: string,
  reverse: boolean,
  iterate: boolean,
  registry: SearchParamRegistry,
): IncludeSpec {
  const name = reverse ? '_revinclude' : '_include';
  if (text === '*') return { text, iterate, sourceType: '*', params: [] };
  const [sourceType, code, targetType, ...extra] = text.split(':');
  if (!sourceType || !code || extra.length > 0) {
    throw new FhirError(400, `${name}: expected 'Type:parameter[:TargetType]' or '*', got '${text}'`, {
      code: 'value',
    });
  }
  for (const type of [sourceType, targetType]) {
    if (type !== undefined && !isResourceType(type)) {
      const hint = didYouMean(type, resourceTypes);
      throw new FhirError(400, `${name}: '${type}' is not a resource type${hint}`, { code: 'value' });
    }
  }
  if (code === '*') return { text, iterate, sourceType, params: [], targetType };
  const param = registry.get(sourceType, code);
  if (!param || param.type !== 'reference') {
    const references = registry
      .forType(sourceType)
      .filter((p) => p.type === 'reference')
      .map((p) => p.code);
    throw new FhirError(
      400,
      `${name}: '${code}' is not a reference parameter of ${sourceType}${didYouMean(code, references)}`,
      { code: 'value' },
    );
  }
  return { text, iterate, sourceType, params: [param.key], targetType };
}

export function parseResultParams(
  params: [string, string][],
  types: string[],
  limits: ResultLimits,
  registry: SearchParamRegistry,
): ResultParams {
  const given = once(params, '_total');
  const total = given ?? 'auto';
  if (given !== undefined && !['none', 'estimate', 'accurate'].includes(given)) {
    throw new FhirError(400, `_total: '${total}' is not none, estimate or accurate`, { code: 'value' });
  }
  const summary = once(params, '_summary');
  if (summary !== undefined && !['true', 'false', 'count', 'data', 'text'].includes(summary)) {
    throw new FhirError(400, `_summary: '${summary}' is not true, false, count, data or text`, {
      code: 'value',
    });
  }
  const elementsText = once(params, '_elements');
  const elements = elementsText?.split(',').map((e) => e.trim());
  if (elements?.some((e) => !/^[A-Za-z][A-Za-z0-9]*$/.test(e))) {
    throw new FhirError(400, `_elements: '${elementsText}' is not a list of element names`, {
      code: 'value',
    });
  }
  if (summary !== undefined && elements !== undefined) {
    throw new FhirError(400, '_summary and _elements cannot be combined', { code: 'invalid' });
  }
  const includes = (reverse: boolean) =>
    params
      .filter(([k]) => k.startsWith(reverse ? '_revinclude' : '_include'))
      .map(([k, v]) => parseInclude(v, reverse, k.endsWith(':iterate') || k.endsWith(':recurse'), registry));
  return {
    count: parseCount(once(params, '_count'), limits),
    sort: parseSort(once(params, '_sort'), types, registry),
    total: total as TotalMode,
    summary: summary as Summary | undefined,
    elements,
    include: includes(false),
    revinclude: includes(true),
    cursor: once(params, '_cursor'),
  };
}
