import { executeSearch } from '../search/execute.ts';
import { RESULT_PARAMS } from '../search/result-params.ts';
import { searchsetBundle } from '../search/searchset.ts';
import type { FhirResult, RestContext } from './types.ts';

export interface SearchRequest {
  /** Absent for a system-level search. */
  resourceType?: string;
  compartment?: { resourceType: string; id: string };
  params: URLSearchParams;
  strict: boolean;
}

function url(base: string, path: string, params: [string, string][]): string {
  const query = new URLSearchParams(params).toString();
  return `${base}/${path}${query ? `?${query}` : ''}`;
}

/** GET/POST search at type, system and compartment level: parse → execute → searchset Bundle. */
export async function search(ctx: RestContext, req: SearchRequest): Promise<FhirResult> {
  const path = [
    ...(req.compartment ? [req.compartment.resourceType, req.compartment.id] : []),
    ...(req.resourceType ? [req.resourceType] : req.compartment ? ['*'] : []),
  ]
    .map(encodeURIComponent)
    .join('/');
  return searchAt(ctx, req, path);
}

/**
 * A search whose links point at `path` (a search URL, or an operation like $everything, which
 * passes its own parameters as `linkParams` because it translated them into a search).
 */
export async function searchAt(
  ctx: RestContext,
  req: SearchRequest,
  path: string,
  linkParams?: [string, string][],
): Promise<FhirResult> {
  const params = [...req.params];
  const plan = ctx.search.plan({
    resourceType: req.resourceType,
    compartment: req.compartment,
    params,
    strict: req.strict,
    baseUrl: ctx.baseUrl,
    limits: ctx.limits,
  });
  // The store puts the caller's criteria into every statement (page, count, includes).
  const page = await executeSearch(ctx.store.search, ctx.search.registry, plan, {
    maxIncludes: ctx.limits.maxIncludes,
  });

  const applied = new Set(plan.applied.map(([k, v]) => `${k}=${v}`));
  // `self` shows what was applied: the filters used and every result parameter.
  const kept = linkParams ?? params.filter(([k, v]) => RESULT_PARAMS.has(k) || applied.has(`${k}=${v}`));
  const withoutCursor = kept.filter(([k]) => k !== '_cursor');
  const link = (cursor: string | undefined) =>
    cursor && url(ctx.baseUrl, path, [...withoutCursor, ['_cursor', cursor]]);
  const bundle = searchsetBundle(
    plan,
    page,
    { self: url(ctx.baseUrl, path, kept), next: link(page.next), previous: link(page.previous) },
    ctx.baseUrl,
  );
  return { status: 200, headers: {}, resource: bundle };
}
