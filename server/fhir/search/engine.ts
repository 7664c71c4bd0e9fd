import { didYouMean } from '../did-you-mean.ts';
import { FhirError } from '../errors.ts';
import { isResourceType, resourceTypes } from '../model/type-info.ts';
import type { CompileContext } from './compile/context.ts';
import { createCompartmentReader, type CompartmentDefinition, type Indexer } from './extract/indexer.ts';
import { indexNeeds, matchesInMemory } from './in-memory.ts';
import { searchNames, unknownParameterMessage, unknownParametersError } from './known-names.ts';
import { FilterParser } from './parse-query.ts';
import type { SearchParam, SearchParamRegistry } from './registry/registry.ts';
import { parseResultParams, RESULT_PARAMS, type ResultLimits, type ResultParams } from './result-params.ts';
import type { Condition } from './types.ts';

/** A parameter left out of a lenient search, and the warning that says so. */
export interface Ignored {
  name: string;
  reason: string;
}

/** A search, parsed and compiled, ready for the store. */
export interface SearchPlan {
  /** Per resource type (none: any type) the condition; the store ORs them. */
  types: { resourceType?: string; condition: Condition }[];
  result: ResultParams;
  /** Filter parameters that were applied, as given, for the `self` link. */
  applied: [string, string][];
  ignored: Ignored[];
}

export interface PlanRequest {
  /** The type searched; absent for a system-level search (`_type` then narrows it). */
  resourceType?: string;
  /** `Patient/123/Observation`: only members of that compartment. */
  compartment?: { resourceType: string; id: string };
  params: [string, string][];
  /** Unknown parameters are a 400 unless the client asked for `Prefer: handling=lenient`. */
  strict: boolean;
  baseUrl: string;
  limits: ResultLimits;
}

export interface Criteria {
  condition: Condition;
  /** Advisory-lock keys for conditional writes: one per exact value, or the whole type. */
  valueKeys: string[];
  typeExclusive: boolean;
}

/** Equality terms at the top level of a condition: what two racing conditional writes share. */
function exactValueKeys(resourceType: string, c: Condition): string[] {
  if (c.kind === 'and') return c.args.flatMap((a) => exactValueKeys(resourceType, a));
  if (c.kind === 'resource' && c.column === 'id') {
    const p = c.where[0];
    return p?.op === 'in' && p.values.length === 1 ? [`${resourceType}:_id:${p.values[0]}`] : [];
  }
  if (c.kind === 'index' && c.table === 'token' && c.params.length === 1) {
    const code = c.where.find((p) => p.op === 'eq' && p.column === 'code');
    return code && code.op === 'eq' ? [`${resourceType}:${c.params[0]}:${code.value}`] : [];
  }
  return [];
}

const OUTSIDE_THE_RECORD: ReadonlySet<string> = new Set(['AuditEvent']);

export class SearchEngine {
  private readonly lookup: (type: string, code: string) => SearchParam | undefined;
  private readonly compartmentTypes = new Map<string, Set<string>>();
  /** The patients a resource belongs to (the Patient compartments it is in). */
  readonly patientsOf: (resource: { resourceType: string } & Record<string, unknown>) => string[];

  constructor(
    readonly registry: SearchParamRegistry,
    private readonly indexer: Indexer,
    compartments: CompartmentDefinition[],
  ) {
    this.lookup = (type, code) => registry.get(type, code);
    this.patientsOf = createCompartmentReader(registry, compartments, 'Patient');
    for (const def of compartments) {
      this.compartmentTypes.set(
        def.code,
        new Set(def.resource.filter((r) => r.param?.length).map((r) => r.code)),
      );
    }
  }

  private parser(baseUrl: string): FilterParser {
    const ctx: CompileContext = { registry: this.registry, baseUrl, now: Date.now() };
    return new FilterParser(ctx, this.lookup);
  }

  private searchedTypes(req: PlanRequest, typeParam: string | undefined): string[] | undefined {
    if (req.resourceType) {
      if (typeParam !== undefined) throw new FhirError(400, '_type is only allowed in a system-level search');
      return [req.resourceType];
    }
    if (typeParam === undefined) return undefined;
    const types = typeParam.split(',');
    for (const t of types) {
      if (!isResourceType(t)) {
        throw new FhirError(400, `_type: '${t}' is not a resource type${didYouMean(t, resourceTypes)}`, {
          code: 'value',
        });
      }
    }
    return types;
  }

  /**
   * Unknown parameters: a typo must not widen a search, so they are refused unless the client
   * asked for leniency; either way the message names the closest known parameter.
   */
  private unknown(req: PlanRequest, names: string[], types: string[] | undefined): Ignored[] {
    if (names.length === 0) return [];
    const where = !types
      ? 'a search of every resource type'
      : types.length <= 3
        ? types.join(', ')
        : `any of the ${types.length} types searched`;
    const known = [...searchNames(this.registry, types ?? ['Resource'], !req.resourceType)];
    if (req.strict) throw unknownParametersError(names, where, known);
    return [...new Set(names)].map((name) => ({
      name,
      reason: `${unknownParameterMessage(name, where, known)} (ignored)`,
    }));
  }

  plan(req: PlanRequest): SearchPlan {
    const typeParams = req.params.filter(([k]) => k === '_type');
    if (typeParams.length > 1) throw new FhirError(400, '_type may only be given once');
    let types = this.searchedTypes(req, typeParams[0]?.[1]);
    const filters = req.params.filter(([k]) => !RESULT_PARAMS.has(k));
    const resultParams = req.params.filter(([k]) => RESULT_PARAMS.has(k));
    let membership: Condition | undefined;
    if (req.compartment) {
      const members = this.compartmentTypes.get(req.compartment.resourceType);
      if (!members) {
        throw new FhirError(400, `${req.compartment.resourceType} is not a supported compartment`, {
          code: 'not-supported',
        });
      }
      // The access log is about the record, not part of it: a search over every type of the
      // compartment (and so $everything) leaves it out; naming AuditEvent finds it.
      types = (types ?? [...members].filter((t) => !OUTSIDE_THE_RECORD.has(t))).filter(
        (t) => members.has(t) || t === req.compartment!.resourceType,
      );
      membership = {
        kind: 'compartment',
        compartmentType: req.compartment.resourceType,
        compartmentId: req.compartment.id,
      };
    }
    const parser = this.parser(req.baseUrl);
    const result = parseResultParams(resultParams, types ?? ['Resource'], req.limits, this.registry);
    const withMembership = (c: Condition): Condition =>
      membership ? { kind: 'and', args: [membership, c] } : c;

    if (!types) {
      const parsed = parser.parse('Resource', filters, false);
      const ignored = this.unknown(req, parsed.unknown, undefined);
      return { types: [{ condition: parsed.condition }], result, applied: parsed.applied, ignored };
    }
    const perType = types.map((t) => ({ resourceType: t, ...parser.parse(t, filters, false) }));
    // A parameter some of the types know: the others cannot satisfy it and match nothing.
    // One that none knows is unknown. (No types at all: a compartment search for a type outside
    // the compartment, which matches nothing whatever its parameters.)
    const unknownToAll = filters
      .map(([name]) => name)
      .filter((name) => perType.length > 0 && perType.every((p) => p.unknown.includes(name)));
    const ignored = this.unknown(req, unknownToAll, types);
    const applied = new Map<string, [string, string]>();
    for (const p of perType) for (const a of p.applied) applied.set(a.join('='), a);
    return {
      types: perType.map((p) => ({
        resourceType: p.resourceType,
        condition: p.unknown.some((name) => !unknownToAll.includes(name))
          ? { kind: 'false' as const }
          : withMembership(p.condition),
      })),
      result,
      applied: [...applied.values()],
      ignored,
    };
  }

  /**
   * Criteria of conditional create/update/delete/patch and conditional references: the full
   * filter syntax, strictly (an ignored criterion would widen the match).
   */
  criteria(resourceType: string, query: string, baseUrl: string): Criteria {
    const params = [...new URLSearchParams(query)];
    if (params.length === 0) throw new FhirError(400, 'Conditional criteria are empty', { code: 'invalid' });
    const result = params.find(([k]) => RESULT_PARAMS.has(k));
    if (result) {
      throw new FhirError(400, `Conditional criteria: '${result[0]}' does not select resources`, {
        code: 'invalid',
      });
    }
    const { condition } = this.parser(baseUrl).parse(resourceType, params, true);
    const valueKeys = [...new Set(exactValueKeys(resourceType, condition))].sort();
    return { condition, valueKeys, typeExclusive: valueKeys.length === 0 };
  }

  /** The resource types that belong to a compartment (the compartment's own type aside). */
  compartmentMembers(compartmentType: string): ReadonlySet<string> | undefined {
    return this.compartmentTypes.get(compartmentType);
  }

  /** Whether a resource that is not stored yet matches (the twin of the SQL search). */
  matches(condition: Condition, resource: { resourceType: string } & Record<string, unknown>): boolean {
    return matchesInMemory(condition, resource, this.indexer(resource, indexNeeds(condition)));
  }
}
