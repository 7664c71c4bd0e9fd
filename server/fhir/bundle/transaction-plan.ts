import { randomUUID } from 'node:crypto';
import { FhirError } from '../errors.ts';
import { isResourceType } from '../model/type-info.ts';
import { matchAll, matchOne, type MatchRequest, type OthersOnly } from '../rest/conditional-match.ts';
import { unknownResourceType } from '../rest/dispatch.ts';
import type { FhirRequest } from '../rest/routes.ts';
import type { FhirResult, RestContext } from '../rest/types.ts';
import type { StoredVersion } from '../storage/types.ts';
import { versionHeaders } from '../rest/versioning.ts';
import { atEntry } from './entry-response.ts';
import { entryError, type BundleEntry } from './entry-request.ts';
import { forEachReference } from './references.ts';

export interface Planned {
  index: number;
  entry: BundleEntry;
  req: FhirRequest;
  /** `Type/id` this entry's resource gets, for POST and PUT. */
  target?: { resourceType: string; id: string };
  /** The server chose the target's id (a conditional update that matched nothing, without an id). */
  serverAssignedId?: boolean;
  /** Written with the creates (a conditional update that creates), not dispatched on its own. */
  batched?: boolean;
  /** The stored match of its conditional criteria, found with the others' (`null`: none). */
  prefetched?: StoredVersion | null;
  /** A conditional create that matched: no write, answer with the existing resource. */
  existing?: FhirResult;
  result?: FhirResult;
}

type Target = { resourceType: string; id: string };
const key = (t: Target) => `${t.resourceType}/${t.id}`;

/** The most conditional entries matched together (see prefetchMatches). */
const MAX_TOGETHER = 50;

/**
 * The stored matches of every conditional create and update, found together (`matchAll`: the
 * locks in one statement, one search) rather than one round trip after another per entry.
 */
export async function prefetchMatches(ctx: RestContext, plans: Planned[]): Promise<void> {
  const wanted: { p: Planned; request: MatchRequest }[] = [];
  for (const p of plans) {
    const [resourceType] = p.req.path;
    if (!resourceType || p.req.path.length !== 1 || !isResourceType(resourceType)) continue;
    if (p.req.method === 'POST' && p.req.pre.ifNoneExist !== undefined) {
      wanted.push({
        p,
        request: {
          resourceType,
          query: p.req.pre.ifNoneExist,
          what: 'Conditional create',
          othersOnly: 'create',
        },
      });
    } else if (p.req.method === 'PUT') {
      wanted.push({
        p,
        request: {
          resourceType,
          query: p.req.query.toString(),
          what: 'Conditional update',
          othersOnly: 'create',
        },
      });
    }
  }
  // Fewer than two: nothing to save; the entry's own matching names its errors best. More than
  // MAX_TOGETHER: each row is checked against each entry's criteria in memory, which grows with
  // the square of the count; a large load is matched one entry at a time, as before.
  if (wanted.length < 2 || wanted.length > MAX_TOGETHER) return;
  let found: (StoredVersion | undefined)[];
  try {
    found = await matchAll(
      ctx,
      wanted.map((w) => w.request),
    );
  } catch (err) {
    // An entry's criteria are bad or match several: matched one by one, its error names the entry.
    if (err instanceof FhirError) return;
    throw err;
  }
  wanted.forEach((w, i) => (w.p.prefetched = found[i] ?? null));
}

/** POST targets: a fresh id, or the existing resource a conditional create matched. */
export async function planCreates(ctx: RestContext, plans: Planned[]): Promise<void> {
  for (const p of plans) {
    if (p.req.method !== 'POST' || p.req.path.length !== 1) continue;
    const resourceType = p.req.path[0]!;
    // Creates do not pass the dispatcher (they are written together), so its check is made here.
    if (!isResourceType(resourceType)) throw atEntry(unknownResourceType(resourceType), p.index);
    if (p.req.pre.ifNoneExist !== undefined) {
      const match =
        p.prefetched !== undefined
          ? (p.prefetched ?? undefined)
          : await matchOne(ctx, resourceType, p.req.pre.ifNoneExist, 'Conditional create', 'create').catch(
              (err) => Promise.reject(atEntry(err, p.index)),
            );
      if (match) {
        p.existing = { status: 200, headers: versionHeaders(match, ctx.baseUrl), json: match.content };
        p.target = { resourceType, id: match.id };
        continue;
      }
    }
    p.target = { resourceType, id: randomUUID() };
  }
}

/**
 * Resources this transaction will create, for conditional matching: a conditional PUT or
 * reference may name a resource that a POST in the same Bundle creates.
 */
function inBundleMatches(ctx: RestContext, plans: Planned[], resourceType: string, query: string): Target[] {
  const { condition } = ctx.search.criteria(resourceType, query, ctx.baseUrl);
  return plans
    .filter((p) => p.target && !p.existing && p.target.resourceType === resourceType && p.req.body)
    .filter((p) => {
      const resource = { ...(p.req.body as object), resourceType, id: p.target!.id };
      return ctx.store.canSee(resource) && ctx.search.matches(condition, resource);
    })
    .map((p) => p.target!);
}

/** Stored and in-Bundle matches together; more than one distinct resource is 412. */
async function resolve(
  ctx: RestContext,
  plans: Planned[],
  resourceType: string,
  query: string,
  what: string,
  othersOnly: OthersOnly,
  prefetched?: StoredVersion | null,
) {
  const stored =
    prefetched !== undefined
      ? (prefetched ?? undefined)
      : await matchOne(ctx, resourceType, query, what, othersOnly);
  const all = new Map<string, Target>();
  if (stored) all.set(key(stored), { resourceType, id: stored.id });
  for (const t of inBundleMatches(ctx, plans, resourceType, query)) all.set(key(t), t);
  if (all.size > 1) {
    throw new FhirError(412, `${what}: the criteria '${query}' match more than one ${resourceType}`, {
      code: 'multiple-matches',
    });
  }
  return { target: [...all.values()][0], stored };
}

/** PUT targets: the URL's id (which the body must carry), or what conditional criteria match. */
export async function planUpdates(ctx: RestContext, plans: Planned[]): Promise<void> {
  for (const p of plans) {
    if (p.req.method !== 'PUT') continue;
    const [resourceType, id] = p.req.path;
    // Before the criteria or the id are looked at, which would fail less clearly.
    if (resourceType !== undefined && !isResourceType(resourceType)) {
      throw atEntry(unknownResourceType(resourceType), p.index);
    }
    const bodyId = (p.req.body as { id?: unknown } | undefined)?.id;
    if (id !== undefined) {
      if (bodyId !== id) {
        const problem = bodyId === undefined ? 'has no id' : `has id '${String(bodyId)}'`;
        throw entryError(
          400,
          p.index,
          `PUT ${resourceType}/${id}: the resource ${problem}`,
          `Bundle.entry[${p.index}].resource.id`,
        );
      }
      p.target = { resourceType: resourceType!, id };
      continue;
    }
    const query = p.req.query.toString();
    const { target } = await resolve(
      ctx,
      plans,
      resourceType!,
      query,
      'Conditional update',
      'create',
      p.prefetched,
    ).catch((err) => Promise.reject(atEntry(err, p.index)));
    if (target && bodyId !== undefined && bodyId !== target.id) {
      throw entryError(
        400,
        p.index,
        `the criteria match ${resourceType}/${target.id} but the body has id '${String(bodyId)}'`,
      );
    }
    // Only an id the caller may see is named; any other goes on to the write guard.
    if (!target && typeof bodyId === 'string' && (await ctx.store.isTaken(resourceType!, bodyId))) {
      throw entryError(
        409,
        p.index,
        `no ${resourceType} matches '${query}', but ${resourceType}/${bodyId} exists`,
      );
    }
    p.target = target ?? {
      resourceType: resourceType!,
      id: typeof bodyId === 'string' ? bodyId : randomUUID(),
    };
    if (!target && typeof bodyId !== 'string') p.serverAssignedId = true;
  }
}

/** R4: a transaction in which two entries write the same resource SHALL fail. */
export function checkOverlaps(plans: Planned[]): void {
  const seen = new Map<string, number>();
  for (const p of plans) {
    const written =
      p.target && !p.existing
        ? p.target
        : ['PATCH', 'DELETE'].includes(p.req.method) && p.req.path.length === 2
          ? { resourceType: p.req.path[0]!, id: p.req.path[1]! }
          : undefined;
    if (!written) continue;
    const earlier = seen.get(key(written));
    if (earlier !== undefined) {
      throw entryError(
        400,
        p.index,
        `${key(written)} is also written by entry ${earlier}; a transaction may touch a resource once`,
      );
    }
    seen.set(key(written), p.index);
  }
}

/** `Patient?identifier=…` references must match exactly one resource, stored or in the Bundle. */
export async function resolveConditionalReferences(
  ctx: RestContext,
  plans: Planned[],
  map: Map<string, string>,
) {
  for (const p of plans) {
    const found: string[] = [];
    forEachReference(p.req.body, (ref) => {
      if (/^[A-Z][A-Za-z]+\?/.test(ref) && !map.has(ref)) found.push(ref);
    });
    for (const ref of found) {
      if (map.has(ref)) continue;
      const q = ref.indexOf('?');
      const resourceType = ref.slice(0, q);
      const { target } = await resolve(
        ctx,
        plans,
        resourceType,
        ref.slice(q + 1),
        'Conditional reference',
        'refuse',
      ).catch((err) => Promise.reject(atEntry(err, p.index)));
      if (!target)
        throw entryError(412, p.index, `conditional reference '${ref}' matches no ${resourceType}`);
      map.set(ref, key(target));
    }
  }
}
