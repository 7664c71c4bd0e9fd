import { FhirError } from '../errors.ts';
import { criteriaLockKeys, parseConditionalCriteria } from '../search/conditional-criteria.ts';
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
  // Always in the same order (type key, then sorted value keys), so the locks cannot deadlock.
  const keys = criteriaLockKeys(resourceType, criteria);
  await ctx.store.lock(`conditional:${keys.typeKey}`, !keys.typeExclusive);
  for (const key of keys.valueKeys) await ctx.store.lock(`conditional:${key}`);
  const matches = await ctx.store.findByIdentifiers(resourceType, criteria, 2);
  if (matches.length > 1) {
    throw new FhirError(412, `${what}: the criteria '${query}' match more than one ${resourceType}`, {
      code: 'multiple-matches',
    });
  }
  return matches[0];
}
