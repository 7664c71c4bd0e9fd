import { didYouMean } from '../did-you-mean.ts';
import { FhirError } from '../errors.ts';
import { isResourceType, resourceTypes } from '../model/type-info.ts';
import { compileParam } from './compile/index.ts';
import { and, or, type CompileContext } from './compile/context.ts';
import { compileDatePredicates } from './compile/date.ts';
import { filterNames, suggestParameter, unknownParametersError } from './known-names.ts';
import type { SearchParam } from './registry/registry.ts';
import { splitUnescaped, unescapeValue } from './values/escape.ts';
import { normalizeText } from './values/normalize.ts';
import type { Condition } from './types.ts';

/**
 * Parses the filtering part of a search — everything except the result parameters
 * (`_count`, `_sort`, `_include`…, see result-params.ts) — into one Condition for
 * `resourceType`. Chains and `_has` recurse into the types they name.
 */

export interface ParsedFilter {
  condition: Condition;
  /** The parameters that took part, as given, for the `self` link. */
  applied: [string, string][];
  /** Names no SearchParameter of the type answers to (unknown code, or unknown chain head). */
  unknown: string[];
}

const MAX_CHAIN_DEPTH = 4;
/** Bounds that keep one query's SQL (and its bind parameters) reasonable. */
const MAX_OR_VALUES = 1000;
const MAX_PARAMETERS = 100;
const MAX_VALUE_LENGTH = 2000;
const MAX_TOTAL_VALUES = 2000;

/** `_id`: a column of the resource row. */
/** `_id` and `_lastUpdated` are on every resource: `:missing=true` matches none. */
function alwaysPresent(name: string, values: string[]): Condition {
  if (values.length !== 1 || !['true', 'false'].includes(values[0]!)) {
    throw new FhirError(400, `${name}: ':missing' takes true or false`, { code: 'value' });
  }
  return { kind: values[0] === 'true' ? 'false' : 'true' };
}

function compileId(name: string, modifier: string | undefined, values: string[]): Condition {
  if (modifier === 'missing') return alwaysPresent(name, values);
  const ids = values.map(unescapeValue);
  const match: Condition = {
    kind: 'resource',
    column: 'id',
    where: [{ op: 'in', column: 'id', values: ids }],
  };
  if (modifier === undefined) return match;
  if (modifier === 'not') return { kind: 'not', arg: match };
  throw new FhirError(400, `${name}: modifier ':${modifier}' is not supported for _id`, {
    code: 'not-supported',
  });
}

function compileSpecial(
  code: string,
  name: string,
  modifier: string | undefined,
  values: string[],
  ctx: CompileContext,
): Condition | undefined {
  const noModifier = () => {
    if (modifier !== undefined) {
      throw new FhirError(400, `${name}: modifiers are not supported for ${code}`, { code: 'not-supported' });
    }
  };
  switch (code) {
    case '_id':
      return compileId(name, modifier, values);
    case '_lastUpdated':
      if (modifier === 'missing') return alwaysPresent(name, values);
      noModifier();
      return or(
        values.map((v) => ({
          kind: 'resource',
          column: 'lastUpdated',
          where: [compileDatePredicates(name, v, ctx.now)],
        })),
      );
    case '_list':
      noModifier();
      return or(values.map((v) => ({ kind: 'list', listId: unescapeValue(v) })));
    case '_content':
      noModifier();
      return or(values.map((v) => ({ kind: 'text', scope: 'content', value: unescapeValue(v) })));
    case '_text':
      noModifier();
      return or(
        values.map((v) => ({
          kind: 'index',
          table: 'string',
          params: ['Resource._text'],
          where: [{ op: 'contains', column: 'norm', value: normalizeText(unescapeValue(v)) }],
        })),
      );
    case '_query':
    case '_filter':
    case '_contained':
    case '_containedType':
      throw new FhirError(400, `${code} is not supported`, { code: 'not-supported' });
    default:
      return undefined;
  }
}

/** Empty values and items, oversized values and lists are refused, naming the parameter. */
function checkValue(name: string, value: string): void {
  if (value.length > MAX_VALUE_LENGTH) {
    throw new FhirError(400, `${name}: values are limited to ${MAX_VALUE_LENGTH} characters`, {
      code: 'too-costly',
    });
  }
  const items = splitUnescaped(value, ',');
  if (items.length > MAX_OR_VALUES) {
    throw new FhirError(400, `${name}: at most ${MAX_OR_VALUES} comma-separated values`, {
      code: 'too-costly',
    });
  }
  if (items.some((v) => v === '')) throw new FhirError(400, `${name}: empty value`, { code: 'value' });
}

export class FilterParser {
  constructor(
    private readonly ctx: CompileContext,
    private readonly lookup: (resourceType: string, code: string) => SearchParam | undefined,
  ) {}

  /** One parameter occurrence (`name=value`) for `resourceType`; undefined when unknown. */
  compile(resourceType: string, name: string, value: string, depth = 0, top = name): Condition | undefined {
    if (depth > MAX_CHAIN_DEPTH) {
      throw new FhirError(400, `${top}: chains and _has nest at most ${MAX_CHAIN_DEPTH} levels`, {
        code: 'too-costly',
      });
    }
    if (depth === 0) checkValue(name, value);
    if (name.startsWith('_has:')) return this.compileHas(resourceType, name, value, depth, top);
    const dot = name.indexOf('.');
    if (dot > 0) return this.compileChain(resourceType, name, dot, value, depth, top);

    const colon = name.indexOf(':');
    const code = colon < 0 ? name : name.slice(0, colon);
    const modifier = colon < 0 ? undefined : name.slice(colon + 1);
    if (value === '') throw new FhirError(400, `${name}: empty value`, { code: 'value' });
    const values = splitUnescaped(value, ',');
    const special = compileSpecial(code, name, modifier, values, this.ctx);
    if (special) return special;
    const param = this.lookup(resourceType, code);
    if (!param) return undefined;
    return compileParam({ param, name, modifier, values }, this.ctx);
  }

  private compileChain(
    resourceType: string,
    name: string,
    dot: number,
    value: string,
    depth: number,
    top: string,
  ): Condition | undefined {
    const head = name.slice(0, dot);
    const rest = name.slice(dot + 1);
    const [code, typeModifier, ...extra] = head.split(':');
    const param = this.lookup(resourceType, code!);
    if (!param) return undefined;
    if (param.type !== 'reference' || extra.length > 0) {
      throw new FhirError(400, `${name}: only reference parameters can be chained`, { code: 'invalid' });
    }
    if (typeModifier !== undefined && !isResourceType(typeModifier)) {
      throw new FhirError(
        400,
        `${name}: '${typeModifier}' is not a resource type${didYouMean(typeModifier, param.targets)}`,
        { code: 'invalid' },
      );
    }
    const candidates = typeModifier ? [typeModifier] : param.targets;
    const branches: Condition[] = [];
    for (const targetType of candidates) {
      if (!param.targets.includes(targetType)) {
        throw new FhirError(400, `${name}: ${param.code} cannot refer to ${targetType}`, { code: 'invalid' });
      }
      const target = this.compile(targetType, rest, value, depth + 1, top);
      if (target) branches.push({ kind: 'chain', params: [param.key], targetType, target });
    }
    if (branches.length === 0) {
      const which = typeModifier ?? `any target type of ${param.code}`;
      const hint = suggestParameter(rest, filterNames(this.ctx.registry, candidates));
      throw new FhirError(400, `${name}: unknown search parameter '${rest}' for ${which}${hint}`, {
        code: 'not-found',
      });
    }
    return or(branches);
  }

  /** `_has:Type:param:rest` — resources that a matching `Type` refers to through `param`. */
  private compileHas(
    resourceType: string,
    name: string,
    value: string,
    depth: number,
    top: string,
  ): Condition {
    const [, sourceType, refCode, ...restParts] = name.split(':');
    const rest = restParts.join(':');
    if (!sourceType || !refCode || !rest) {
      throw new FhirError(400, `${name}: expected _has:Type:reference-parameter:search-parameter`, {
        code: 'invalid',
      });
    }
    if (!isResourceType(sourceType)) {
      throw new FhirError(
        400,
        `${name}: '${sourceType}' is not a resource type${didYouMean(sourceType, resourceTypes)}`,
        { code: 'invalid' },
      );
    }
    const ref = this.lookup(sourceType, refCode);
    if (!ref || ref.type !== 'reference') {
      const references = this.ctx.registry
        .forType(sourceType)
        .filter((p) => p.type === 'reference' && p.targets.includes(resourceType))
        .map((p) => p.code);
      throw new FhirError(
        400,
        `${name}: '${refCode}' is not a reference parameter of ${sourceType}${didYouMean(refCode, references)}`,
        { code: 'invalid' },
      );
    }
    if (!ref.targets.includes(resourceType)) {
      throw new FhirError(400, `${name}: ${sourceType}.${refCode} cannot refer to ${resourceType}`, {
        code: 'invalid',
      });
    }
    const source = this.compile(sourceType, rest, value, depth + 1, top);
    if (!source) {
      const hint = suggestParameter(rest, filterNames(this.ctx.registry, [sourceType]));
      throw new FhirError(400, `${top}: unknown search parameter '${rest}' for ${sourceType}${hint}`, {
        code: 'not-found',
      });
    }
    return { kind: 'has', sourceType, param: ref.key, source };
  }

  /**
   * Every filter parameter of a query. Unknown ones are refused with `strict` (naming the
   * closest known one), otherwise left out and returned for the caller to judge.
   */
  parse(resourceType: string, params: [string, string][], strict: boolean): ParsedFilter {
    if (params.length > MAX_PARAMETERS) {
      throw new FhirError(400, `A search may have at most ${MAX_PARAMETERS} parameters`, {
        code: 'too-costly',
      });
    }
    const total = params.reduce((n, [, v]) => n + splitUnescaped(v, ',').length, 0);
    if (total > MAX_TOTAL_VALUES) {
      throw new FhirError(400, `A search may have at most ${MAX_TOTAL_VALUES} values in all`, {
        code: 'too-costly',
      });
    }
    const conditions: Condition[] = [];
    const applied: [string, string][] = [];
    const unknown: string[] = [];
    for (const [name, value] of params) {
      const condition = this.compile(resourceType, name, value);
      if (condition) {
        conditions.push(condition);
        applied.push([name, value]);
      } else {
        unknown.push(name);
      }
    }
    if (strict && unknown.length > 0) {
      throw unknownParametersError(unknown, resourceType, filterNames(this.ctx.registry, [resourceType]));
    }
    return { condition: conditions.length ? and(conditions) : { kind: 'true' }, applied, unknown };
  }
}
