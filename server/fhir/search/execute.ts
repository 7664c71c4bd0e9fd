import { FhirError } from '../errors.ts';
import type { SearchRow, SearchStatements } from '../storage/search-queries.ts';
import { decodeCursor, encodeCursor, type Cursor } from './cursor.ts';
import type { SearchPlan } from './engine.ts';
import type { SearchParamRegistry } from './registry/registry.ts';
import type { IncludeSpec, SortKey } from './result-params.ts';
import type { Condition } from './types.ts';

export interface SearchPage {
  matches: SearchRow[];
  included: SearchRow[];
  total?: number;
  next?: string;
  previous?: string;
  /** Set when includes were cut off at the limit. */
  includesTruncated: boolean;
}

export interface ExecuteOptions {
  maxIncludes: number;
  /** Rounds of `:iterate` before giving up (a cycle cannot loop forever). */
  maxIterations?: number;
  /**
   * What included rows must satisfy (the caller's access criteria), in the include statements
   * themselves: a row the caller may not see is neither returned nor followed by `:iterate`,
   * nor counted against the limit.
   */
  includeFilter?: Condition;
}

const NUMERIC = /^-?[0-9]{1,1000}(\.[0-9]{1,1000})?$/;
const INTEGER = /^-?[0-9]{1,16}$/;
const INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$/;

/** A cursor's key values go into SQL comparisons: each must have its sort key's type. */
function checkKeys(cursor: Cursor, sort: SortKey[]): void {
  cursor.keys.forEach((k, i) => {
    if (k === null) return;
    const s = sort[i]!;
    const text = String(k);
    const ok =
      s.kind === 'index' && s.table === 'date'
        ? INTEGER.test(text)
        : s.kind === 'index' && (s.table === 'number' || s.table === 'quantity')
          ? NUMERIC.test(text)
          : s.kind === 'column' && s.column === 'lastUpdated'
            ? INSTANT.test(text) && !Number.isNaN(Date.parse(text))
            : typeof k === 'string';
    if (!ok) throw new FhirError(400, '_cursor: not a paging cursor of this search');
  });
}

function referenceParams(registry: SearchParamRegistry, spec: IncludeSpec, types: string[]): string[] {
  if (spec.params.length > 0) return spec.params;
  const sources = spec.sourceType === '*' ? types : [spec.sourceType];
  return sources.flatMap((t) =>
    registry
      .forType(t)
      .filter((p) => p.type === 'reference' && p.parts.length > 0)
      .map((p) => p.key),
  );
}

async function includes(
  queries: SearchStatements,
  registry: SearchParamRegistry,
  plan: SearchPlan,
  matches: SearchRow[],
  options: ExecuteOptions,
): Promise<{ included: SearchRow[]; truncated: boolean }> {
  const { include, revinclude } = plan.result;
  if (include.length === 0 && revinclude.length === 0) return { included: [], truncated: false };
  const seen = new Set(matches.map((m) => m.rid));
  const included: SearchRow[] = [];
  let frontier = matches;
  let truncated = false;
  const maxIterations = options.maxIterations ?? 4;
  for (let round = 0; frontier.length > 0 && round <= maxIterations; round++) {
    const found: SearchRow[] = [];
    const room = () => options.maxIncludes - included.length - found.length + 1;
    const specs = (list: IncludeSpec[]) => list.filter((s) => round === 0 || s.iterate);
    for (const spec of specs(include)) {
      const sources = frontier.filter((r) => spec.sourceType === '*' || r.resourceType === spec.sourceType);
      const types = [...new Set(sources.map((r) => r.resourceType))];
      const params = referenceParams(registry, spec, types);
      found.push(
        ...(await queries.referencedBy(
          sources.map((r) => r.rid),
          params,
          spec.targetType,
          options.includeFilter,
          room(),
        )),
      );
    }
    for (const spec of specs(revinclude)) {
      const targets = frontier.filter((r) => !spec.targetType || r.resourceType === spec.targetType);
      const params =
        spec.sourceType === '*'
          ? registry.referencesTo([...new Set(targets.map((t) => t.resourceType))])
          : referenceParams(registry, spec, [spec.sourceType]);
      found.push(...(await queries.referring(targets, params, options.includeFilter, room())));
    }
    const fresh = found.filter((r) => !seen.has(r.rid) && seen.add(r.rid));
    included.push(...fresh);
    if (included.length > options.maxIncludes) {
      included.length = options.maxIncludes;
      truncated = true;
      break;
    }
    frontier = fresh;
    if (round === maxIterations && fresh.length > 0) truncated = true;
  }
  return { included, truncated };
}

/** Runs one page of a planned search: the matches, their includes, the total and paging links. */
export async function executeSearch(
  queries: SearchStatements,
  registry: SearchParamRegistry,
  plan: SearchPlan,
  options: ExecuteOptions,
): Promise<SearchPage> {
  const { result } = plan;
  const cursor = result.cursor === undefined ? undefined : decodeCursor(result.cursor, result.sort.length);
  if (cursor) checkKeys(cursor, result.sort);

  const total =
    result.total === 'accurate' || result.summary === 'count'
      ? await queries.count(plan)
      : result.total === 'estimate'
        ? await queries.estimate(plan)
        : undefined;
  if (result.summary === 'count' || result.count === 0) {
    return { matches: [], included: [], total, includesTruncated: false };
  }

  const rows = await queries.page({
    types: plan.types,
    sort: result.sort,
    limit: result.count + 1,
    keyset: cursor && { keys: cursor.keys, rid: cursor.rid, direction: cursor.direction },
    maxRid: cursor?.maxRid,
  });
  const more = rows.length > result.count;
  // Paging backwards returns rows in order with the extra one first.
  const matches = cursor?.direction === 'before' ? rows.slice(more ? 1 : 0) : rows.slice(0, result.count);
  const maxRid = cursor?.maxRid ?? (more ? await queries.maxRid() : undefined);
  const at = (row: SearchRow | undefined, direction: Cursor['direction']) =>
    row && maxRid ? encodeCursor({ direction, keys: row.keys, rid: row.rid, maxRid }) : undefined;
  const hasNext = cursor?.direction === 'before' ? true : more;
  const hasPrevious = cursor === undefined ? false : cursor.direction === 'after' ? true : more;

  const { included, truncated } = await includes(queries, registry, plan, matches, options);
  return {
    matches,
    included,
    total: total ?? (result.total === 'auto' && cursor === undefined && !more ? matches.length : undefined),
    next: hasNext ? at(matches.at(-1), 'after') : undefined,
    previous: hasPrevious ? at(matches[0], 'before') : undefined,
    includesTruncated: truncated,
  };
}
