import { FhirError } from '../errors.ts';
import type { StoredVersion } from '../storage/types.ts';
import type { RestContext } from './types.ts';

/**
 * What a conditional write does when everything it matches is held by other organisations
 * (`create`: a conditional create or update makes the caller's own; `refuse`: 412).
 */
export type OthersOnly = 'create' | 'refuse';

/** At most this many matches are told apart by holder; more is 412. */
const MAX_MATCHES = 20;

/**
 * The match a conditional interaction takes. A person may have a Patient record per
 * organisation (a referrer makes its own), and a referral shows the referrer's to the receiver:
 * so of several matches the caller's own (held by its organisation, or by none) is the one; with
 * none of its own among several, all held by other organisations, a conditional create or update
 * makes the caller's own; several of its own, or a conditional reference, delete or patch among
 * several without one own: 412. One match is always the match. A caller acting for no
 * organisation (a patient, a trusted client) is answered as before: one match, else 412.
 */
export function chooseMatch(
  ctx: RestContext,
  matches: StoredVersion[],
  resourceType: string,
  query: string,
  what: string,
  othersOnly: OthersOnly,
): StoredVersion | undefined {
  if (matches.length === 0) return undefined;
  const holders = matches.map((m) => ctx.store.holderOf(m));
  const own = matches.filter((_, i) => holders[i] === 'own');
  const othersAll = holders.every((h) => h === 'other');
  // One match is the match, whoever holds it (a merge's survivor, a record another system
  // registered): only where the criteria name several does the holder choose.
  if (matches.length === 1) return matches[0];
  if (matches.length < MAX_MATCHES) {
    if (own.length === 1) return own[0];
    if (othersAll && othersOnly === 'create') return undefined;
  }
  throw new FhirError(412, `${what}: the criteria '${query}' match more than one ${resourceType}`, {
    code: 'multiple-matches',
  });
}

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
  othersOnly: OthersOnly = 'refuse',
): Promise<StoredVersion | undefined> {
  const criteria = ctx.search.criteria(resourceType, query, ctx.baseUrl);
  // Type key, then sorted value keys. Transactions take theirs in another order (every type key,
  // then every value key): a cycle between the two is possible, and a deadlock is retried.
  await ctx.store.lock(`conditional:${resourceType}:*`, !criteria.typeExclusive);
  for (const key of criteria.valueKeys) await ctx.store.lock(`conditional:${key}`);
  const matches = await ctx.store.search.page({
    // Only what the caller may see can match (the store adds their criteria): anything else
    // would leak through 412 or 200.
    types: [{ resourceType, condition: criteria.condition }],
    sort: [],
    limit: MAX_MATCHES,
  });
  return chooseMatch(ctx, matches, resourceType, query, what, othersOnly);
}

/** One conditional entry of a transaction: its type, criteria, and how its refusals name it. */
export interface MatchRequest {
  resourceType: string;
  query: string;
  what: string;
  othersOnly: OthersOnly;
}

/**
 * `matchOne` for every conditional entry of a transaction at once: the same locks (every type
 * key, then every value key, sorted) in one statement, and one statement searching all criteria
 * (a union of one query per criteria), whose rows are told apart in memory by each entry's
 * criteria (the search's in-memory twin). When the
 * rows fill the limit (some criteria match many), each entry is matched on its own instead.
 */
export async function matchAll(
  ctx: RestContext,
  requests: MatchRequest[],
): Promise<(StoredVersion | undefined)[]> {
  if (requests.length === 0) return [];
  const criteria = requests.map((r) => ctx.search.criteria(r.resourceType, r.query, ctx.baseUrl));
  // Chains, _has, _list and _content need the database: such criteria are matched on their own.
  if (!criteria.every((c) => decidableInMemory(c.condition))) {
    const out: (StoredVersion | undefined)[] = [];
    for (const r of requests) out.push(await matchOne(ctx, r.resourceType, r.query, r.what, r.othersOnly));
    return out;
  }
  const typeKeys = new Map<string, boolean>();
  requests.forEach((r, i) => {
    const key = `conditional:${r.resourceType}:*`;
    typeKeys.set(key, (typeKeys.get(key) ?? true) && !criteria[i]!.typeExclusive);
  });
  const valueKeys = [...new Set(criteria.flatMap((c) => c.valueKeys))].sort();
  await ctx.store.lockAll([
    ...[...typeKeys].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, shared]) => ({ key, shared })),
    ...valueKeys.map((v) => ({ key: `conditional:${v}`, shared: false })),
  ]);
  const limit = requests.length * 2 + 1;
  // One statement, one part per criteria (a union, each part using its own indexes): an OR of
  // them all would have the database test every resource of the type against each.
  const rows = await ctx.store.search.page({
    types: requests.map((r, i) => ({ resourceType: r.resourceType, condition: criteria[i]!.condition })),
    sort: [],
    limit,
  });
  if (rows.length >= limit) {
    const out: (StoredVersion | undefined)[] = [];
    for (const r of requests) out.push(await matchOne(ctx, r.resourceType, r.query, r.what, r.othersOnly));
    return out;
  }
  const unique = [...new Map(rows.map((row) => [`${row.resourceType}/${row.id}`, row])).values()];
  const parsed = unique.map((row) => ({
    row,
    resource: JSON.parse(row.content ?? '{}') as Record<string, unknown>,
  }));
  return requests.map((r, i) => {
    const found = parsed.filter(
      ({ row, resource }) =>
        row.resourceType === r.resourceType &&
        ctx.search.matches(criteria[i]!.condition, { ...resource, resourceType: r.resourceType }),
    );
    return chooseMatch(
      ctx,
      found.map((f) => f.row),
      r.resourceType,
      r.query,
      r.what,
      r.othersOnly,
    );
  });
}

/** Condition kinds the in-memory twin cannot decide (it answers false for them). */
const UNDECIDED: ReadonlySet<string> = new Set(['chain', 'has', 'list', 'text']);

function decidableInMemory(c: unknown): boolean {
  if (!c || typeof c !== 'object') return true;
  if (Array.isArray(c)) return c.every(decidableInMemory);
  const o = c as Record<string, unknown>;
  if (typeof o.kind === 'string' && UNDECIDED.has(o.kind)) return false;
  return Object.values(o).every(decidableInMemory);
}
