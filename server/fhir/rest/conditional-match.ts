import { FhirError } from '../errors.ts';
import { parseConditionalCriteria } from '../search/conditional-criteria.ts';
import type { StoredVersion } from '../storage/types.ts';
import type { RestContext } from './types.ts';

/**
 * Resolves conditional criteria to at most one match, holding a lock on the criteria until
 * the transaction ends so that concurrent conditional writes with the same criteria run one
 * after the other (20 parallel conditional creates must create exactly one resource).
 * Must run inside a store transaction.
 */
export async function matchOne(
  ctx: RestContext,
  resourceType: string,
  query: string,
  what: string,
): Promise<StoredVersion | undefined> {
  const criteria = parseConditionalCriteria(query);
  await ctx.store.lock(`conditional:${resourceType}?${new URLSearchParams(query).toString()}`);
  const matches = await ctx.store.findByIdentifiers(resourceType, criteria, 2);
  if (matches.length > 1) {
    throw new FhirError(412, `${what}: the criteria '${query}' match more than one ${resourceType}`, {
      code: 'multiple-matches',
    });
  }
  return matches[0];
}
