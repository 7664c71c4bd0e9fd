import { randomUUID } from 'node:crypto';
import { matchOne } from '../rest/conditional-match.ts';
import type { Dispatch } from '../rest/dispatch.ts';
import { requireResource } from '../rest/incoming.ts';
import type { FhirRequest } from '../rest/routes.ts';
import type { FhirResult, RestContext } from '../rest/types.ts';
import { locationHeaders, versionHeaders } from '../rest/versioning.ts';
import type { Resource } from '../storage/types.ts';
import { atEntry, entryResponse } from './entry-response.ts';
import { entryError, entryRequest, type BundleEntry } from './entry-request.ts';
import { forEachReference, rewriteReferences } from './references.ts';

/** The spec's processing order: DELETE, then POST, then PUT/PATCH, then GET/HEAD. */
const RANK: Record<FhirRequest['method'], number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

interface Planned {
  index: number;
  entry: BundleEntry;
  req: FhirRequest;
  /** `Type/id` this entry's resource gets, for POST and PUT. */
  target?: { resourceType: string; id: string };
  /** A conditional create that matched: no write, answer with the existing resource. */
  existing?: FhirResult;
  result?: FhirResult;
}

/**
 * A transaction Bundle: all entries in one database transaction, all or nothing. Plain creates
 * (the bulk of any Synthea-style load) are written in multi-row statements.
 */
export async function processTransaction(
  ctx: RestContext,
  dispatch: Dispatch,
  entries: BundleEntry[],
  representation: boolean,
): Promise<Resource> {
  const plans: Planned[] = entries.map((entry, index) => ({
    index,
    entry,
    req: entryRequest(entry, index, ctx.baseUrl),
  }));
  checkFullUrls(plans);
  const ordered = [...plans].sort((a, b) => RANK[a.req.method] - RANK[b.req.method] || a.index - b.index);

  await ctx.store.transaction(async (store) => {
    const tx: RestContext = { ...ctx, store };
    const run = async (p: Planned, req: FhirRequest) => {
      try {
        p.result = await dispatch(tx, req);
      } catch (err) {
        throw atEntry(err, p.index);
      }
    };
    await store.lockInOrder(
      plans
        .filter((p) => ['PUT', 'PATCH', 'DELETE'].includes(p.req.method) && p.req.path.length === 2)
        .map((p) => ({ resourceType: p.req.path[0]!, id: p.req.path[1]! })),
    );
    for (const p of ordered.filter((p) => p.req.method === 'DELETE')) await run(p, p.req);

    const fullUrlMap = new Map<string, string>();
    for (const p of ordered) {
      if (p.req.method !== 'POST' && p.req.method !== 'PUT') continue;
      await assignTarget(tx, p).catch((err) => Promise.reject(atEntry(err, p.index)));
      if (p.target && p.entry.fullUrl)
        fullUrlMap.set(p.entry.fullUrl, `${p.target.resourceType}/${p.target.id}`);
    }
    await resolveConditionalReferences(tx, plans, fullUrlMap);

    const creates: { p: Planned; resource: Resource }[] = [];
    for (const p of ordered) {
      if (p.req.method !== 'POST' && p.req.method !== 'PUT' && p.req.method !== 'PATCH') continue;
      const body = rewriteReferences(p.req.body, fullUrlMap) as Resource | undefined;
      checkNoDanglingUrns(body, p.index);
      if (p.req.method === 'POST' && p.req.path.length === 1) {
        if (p.existing) continue;
        try {
          creates.push({ p, resource: requireResource(tx, body, p.target!.resourceType) });
        } catch (err) {
          throw atEntry(err, p.index);
        }
      } else if (p.req.method === 'PUT' && p.target) {
        await run(p, {
          ...p.req,
          path: [p.target.resourceType, p.target.id],
          query: new URLSearchParams(),
          body: { ...body, id: p.target.id },
        });
      } else {
        await run(p, { ...p.req, body });
      }
    }
    const written = await store.insertNew(
      creates.map(({ p, resource }) => ({
        resourceType: p.target!.resourceType,
        id: p.target!.id,
        resource,
      })),
    );
    written.forEach((w, k) => {
      creates[k]!.p.result = {
        status: 201,
        headers: locationHeaders(w.stored, ctx.baseUrl),
        resource: w.resource,
      };
    });

    for (const p of ordered.filter((p) => RANK[p.req.method] === 3)) await run(p, p.req);
  });

  return {
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: plans.map((p) => {
      const result = p.existing ?? p.result!;
      return entryResponse(result, representation || p.req.method === 'GET' || p.req.method === 'HEAD');
    }),
  };
}

/** Decides which Type/id a POST or PUT entry writes, before any body is rewritten. */
async function assignTarget(ctx: RestContext, p: Planned): Promise<void> {
  const [resourceType, id] = p.req.path;
  if (!resourceType) throw entryError(400, p.index, 'a transaction may not contain a batch or transaction');
  if (p.req.method === 'POST') {
    if (p.req.path.length !== 1) return; // an operation such as $validate: dispatched as is
    if (p.req.pre.ifNoneExist !== undefined) {
      const match = await matchOne(ctx, resourceType, p.req.pre.ifNoneExist, 'Conditional create');
      if (match) {
        p.existing = { status: 200, headers: versionHeaders(match, ctx.baseUrl), json: match.content };
        p.target = { resourceType, id: match.id };
        return;
      }
    }
    p.target = { resourceType, id: randomUUID() };
  } else if (id !== undefined) {
    // Same rule as PUT over HTTP: the body must carry the URL's id.
    const bodyId = (p.req.body as { id?: unknown } | undefined)?.id;
    if (bodyId !== id) {
      const problem = bodyId === undefined ? 'has no id' : `has id '${String(bodyId)}'`;
      throw entryError(
        400,
        p.index,
        `PUT ${resourceType}/${id}: the resource ${problem}`,
        `Bundle.entry[${p.index}].resource.id`,
      );
    }
    p.target = { resourceType, id };
  } else {
    const query = p.req.query.toString();
    const match = await matchOne(ctx, resourceType, query, 'Conditional update');
    const bodyId = (p.req.body as { id?: string } | undefined)?.id;
    if (match && bodyId !== undefined && bodyId !== match.id) {
      throw entryError(
        400,
        p.index,
        `the criteria match ${resourceType}/${match.id} but the body has id '${bodyId}'`,
      );
    }
    p.target = { resourceType, id: match?.id ?? bodyId ?? randomUUID() };
  }
}

/** `Patient?identifier=…` references must match exactly one resource, or the transaction fails. */
async function resolveConditionalReferences(ctx: RestContext, plans: Planned[], map: Map<string, string>) {
  for (const p of plans) {
    const found: string[] = [];
    forEachReference(p.req.body, (ref) => {
      if (/^[A-Z][A-Za-z]+\?/.test(ref) && !map.has(ref)) found.push(ref);
    });
    for (const ref of found) {
      const q = ref.indexOf('?');
      const resourceType = ref.slice(0, q);
      const match = await matchOne(ctx, resourceType, ref.slice(q + 1), 'Conditional reference').catch(
        (err) => Promise.reject(atEntry(err, p.index)),
      );
      if (!match) throw entryError(412, p.index, `conditional reference '${ref}' matches no ${resourceType}`);
      map.set(ref, `${resourceType}/${match.id}`);
    }
  }
}

function checkNoDanglingUrns(body: unknown, index: number): void {
  forEachReference(body, (ref) => {
    if (ref.startsWith('urn:uuid:') || ref.startsWith('urn:oid:')) {
      throw entryError(400, index, `reference '${ref}' is not the fullUrl of any entry in this transaction`);
    }
  });
}

function checkFullUrls(plans: Planned[]): void {
  const seen = new Map<string, number>();
  for (const p of plans) {
    const url = p.entry.fullUrl;
    if (url === undefined) continue;
    const earlier = seen.get(url);
    if (earlier !== undefined) {
      throw entryError(
        400,
        p.index,
        `fullUrl '${url}' is also used by entry ${earlier}`,
        `Bundle.entry[${p.index}].fullUrl`,
      );
    }
    seen.set(url, p.index);
  }
  if (plans.some((p) => p.req.path.length === 0)) {
    const p = plans.find((q) => q.req.path.length === 0)!;
    throw entryError(400, p.index, 'a transaction may not contain a batch or transaction');
  }
}
