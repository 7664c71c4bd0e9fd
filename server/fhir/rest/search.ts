import { FhirError } from '../errors.ts';
import { parseConditionalCriteria } from '../search/conditional-criteria.ts';
import type { Resource } from '../storage/types.ts';
import { parseCount, single } from './params.ts';
import type { FhirResult, RestContext } from './types.ts';

const RESULT_PARAMS = new Set(['_count']);

/**
 * GET [type]?_id=…&identifier=… — the same criteria the conditional interactions understand.
 * The search engine replaces this with every R4 search parameter; until then, anything else
 * is refused with 400 so that no client mistakes a partial answer for a complete one.
 */
export async function search(
  ctx: RestContext,
  resourceType: string,
  params: URLSearchParams,
): Promise<FhirResult> {
  const count = parseCount(
    single(params, '_count'),
    ctx.limits.defaultHistoryCount,
    ctx.limits.maxHistoryCount,
  );
  const criteria = new URLSearchParams([...params].filter(([k]) => !RESULT_PARAMS.has(k)));
  const parsed = parseConditionalCriteria(criteria.toString(), true);
  const rows = await ctx.store.findByIdentifiers(resourceType, parsed, count + 1);
  if (rows.length > count) {
    throw new FhirError(
      400,
      `More than ${count} matches; paging of searches is not available yet, narrow the criteria`,
      {
        code: 'too-costly',
      },
    );
  }
  const self = `${ctx.baseUrl}/${resourceType}${criteria.size ? `?${criteria.toString()}` : ''}`;
  const bundle: Resource = {
    resourceType: 'Bundle',
    type: 'searchset',
    total: rows.length,
    link: [{ relation: 'self', url: self }],
    entry: rows.map((row) => ({
      fullUrl: `${ctx.baseUrl}/${row.resourceType}/${row.id}`,
      resource: JSON.parse(row.content!) as Resource,
      search: { mode: 'match' },
    })),
  };
  return { status: 200, headers: {}, resource: bundle };
}
