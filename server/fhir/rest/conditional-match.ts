import { FhirError } from '../errors.ts';
import type { StoredVersion } from '../storage/types.ts';
import type { RestContext } from './types.ts';

/**
 * Resolves conditional criteria (the full search syntax) to at most one match, holding a lock
 * on the criteria until the transaction ends so that concurrent conditional writes with the
 * same criteria run one after the other (20 parallel conditional creates must create exactly
 * one resource). Must run inside a store transaction.
 */
export async function matchOne(
  ctx: RestContext,
  resourceType: string,
  query: string,
  what: string,
): Promise<StoredVersion | undefined> {
  const criteria = ctx.search.criteria(resourceType, query, ctx.baseUrl);
  // Always in the same order (type key, then sorted value keys), so the locks cannot deadlock.
  await ctx.store.lock(`conditional:${resourceType}:*`, !criteria.typeExclusive);
  for (const key of criteria.valueKeys) await ctx.store.lock(`conditional:${key}`);
  const matches = await ctx.store.search.page({
    // Only what the caller may see can match (the store adds their criteria): anything else
    // would leak through 412 or 200.
    types: [{ resourceType, condition: criteria.condition }],
    sort: [],
    limit: 2,
  });
  if (matches.length > 1) {
    throw new FhirError(412, `${what}: the criteria '${query}' match more than one ${resourceType}`, {
      code: 'multiple-matches',
    });
  }
  return matches[0];
}
