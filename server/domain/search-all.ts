import { executeSearch } from '../fhir/search/execute.ts';
import type { RestContext } from '../fhir/rest/types.ts';
import type { StoredVersion } from '../fhir/storage/types.ts';

/**
 * Every match of a search, all pages, as the caller sees them (`ctx.store`: the gate applies):
 * of a type, or of a patient's compartment. For domain operations that act on a whole set.
 */
export async function searchAll(
  ctx: RestContext,
  of: { resourceType: string } | { compartment: { resourceType: string; id: string } },
  filter: [string, string][] = [],
): Promise<StoredVersion[]> {
  const rows: StoredVersion[] = [];
  let cursor: string | undefined;
  do {
    const params: [string, string][] = [...filter, ['_count', String(ctx.limits.maxSearchCount)]];
    if (cursor) params.push(['_cursor', cursor]);
    const plan = ctx.search.plan({ ...of, params, strict: true, baseUrl: ctx.baseUrl, limits: ctx.limits });
    const page = await executeSearch(ctx.store.search, ctx.search.registry, plan, {
      maxIncludes: ctx.limits.maxIncludes,
    });
    rows.push(...page.matches.filter((row) => row.content));
    cursor = page.next;
  } while (cursor);
  return rows;
}
