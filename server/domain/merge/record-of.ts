import { executeSearch } from '../../fhir/search/execute.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import type { StoredVersion } from '../../fhir/storage/types.ts';

/**
 * Every current resource of a patient's compartment (`Patient/[id]/*`, as `ctx.store` sees it),
 * but the patients named in `except`. All pages are read before anything is changed: a row
 * repointed meanwhile would leave the compartment and move the pages under the cursor.
 */
export async function recordOf(
  ctx: RestContext,
  patientId: string,
  except: string[],
): Promise<StoredVersion[]> {
  const rows: StoredVersion[] = [];
  let cursor: string | undefined;
  do {
    const params: [string, string][] = [['_count', String(ctx.limits.maxSearchCount)]];
    if (cursor) params.push(['_cursor', cursor]);
    const plan = ctx.search.plan({
      compartment: { resourceType: 'Patient', id: patientId },
      params,
      strict: true,
      baseUrl: ctx.baseUrl,
      limits: ctx.limits,
    });
    const page = await executeSearch(ctx.store.search, ctx.search.registry, plan, {
      maxIncludes: ctx.limits.maxIncludes,
    });
    for (const row of page.matches) {
      if (row.resourceType === 'Patient' && except.includes(row.id)) continue;
      if (row.content) rows.push(row);
    }
    cursor = page.next;
  } while (cursor);
  return rows;
}
