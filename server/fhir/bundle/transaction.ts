import { FhirError } from '../errors.ts';
import type { Dispatch } from '../rest/dispatch.ts';
import { requireResource } from '../rest/incoming.ts';
import type { FhirRequest } from '../rest/routes.ts';
import type { RestContext } from '../rest/types.ts';
import { locationHeaders } from '../rest/versioning.ts';
import type { Resource } from '../storage/types.ts';
import { atEntry, entryResponse } from './entry-response.ts';
import { entryError, entryRequest, type BundleEntry, type BundlePrefer } from './entry-request.ts';
import { forEachReference, rewriteReferences } from './references.ts';
import {
  checkOverlaps,
  planCreates,
  planUpdates,
  prefetchMatches,
  resolveConditionalReferences,
  type Planned,
} from './transaction-plan.ts';

/**
 * A transaction Bundle: all entries in one database transaction, all or nothing, in the spec's
 * order — DELETE, POST, PUT/PATCH, GET/HEAD. Every target and reference is resolved before the
 * first write; plain creates (the bulk of any Synthea-style load) go in multi-row statements.
 */
export async function processTransaction(
  ctx: RestContext,
  dispatch: Dispatch,
  entries: BundleEntry[],
  prefer: BundlePrefer,
): Promise<Resource> {
  const parsed = entries.map((entry, index) => ({
    index,
    entry,
    req: entryRequest(entry, index, ctx.baseUrl, prefer),
  }));
  checkFullUrls(parsed);
  let plans: Planned[] = [];

  await ctx.store.transaction(async (store) => {
    // Fresh state on every attempt: a retry after a deadlock must not reuse the last one's matches.
    plans = parsed.map((p) => ({ ...p }));
    const tx: RestContext = { ...ctx, store };
    const run = async (p: Planned, req: FhirRequest) => {
      try {
        p.result = await dispatch(tx, req);
      } catch (err) {
        throw atEntry(err, p.index);
      }
    };
    const method = (...m: FhirRequest['method'][]) => plans.filter((p) => m.includes(p.req.method));

    await store.lockInOrder(
      method('PUT', 'PATCH', 'DELETE')
        .filter((p) => p.req.path.length === 2)
        .map((p) => ({ resourceType: p.req.path[0]!, id: p.req.path[1]! })),
    );
    for (const p of method('DELETE')) await run(p, p.req);

    await prefetchMatches(tx, plans);
    await planCreates(tx, plans);
    await planUpdates(tx, plans);
    checkOverlaps(plans);
    const fullUrls = new Map<string, string>();
    for (const p of plans) {
      if (p.target && p.entry.fullUrl)
        fullUrls.set(p.entry.fullUrl, `${p.target.resourceType}/${p.target.id}`);
    }
    await resolveConditionalReferences(tx, plans, fullUrls);

    const creates: { p: Planned; resource: Resource }[] = [];
    for (const p of method('POST')) {
      if (p.existing) continue;
      const req = rewritten(p, fullUrls);
      if (!p.target) {
        await run(p, req); // an operation such as $validate
        continue;
      }
      try {
        creates.push({ p, resource: requireResource(tx, req.body, p.target.resourceType) });
      } catch (err) {
        throw atEntry(err, p.index);
      }
    }
    // A conditional update that matched nothing and names no id is a create with an id of the
    // server's: for a caller the gate does not restrict, written with the creates, in the same
    // statements, after the check the dispatcher makes of an update (the scope's `u`). A
    // restricted caller's goes through the update itself, whose refusals name the entry.
    for (const p of method('PUT')) {
      if (!p.serverAssignedId || p.req.pre.ifMatch !== undefined || store.access.restricted) continue;
      const req = rewritten(p, fullUrls);
      const resourceType = p.target!.resourceType;
      try {
        store.assertAllowed('update', false, resourceType);
        const body = { ...(req.body as object), id: p.target!.id };
        const { id: _assigned, ...resource } = requireResource(tx, body, resourceType);
        creates.push({ p, resource: resource as Resource });
      } catch (err) {
        // Logged as the update it is, as the dispatcher would have.
        tx.audit?.record({
          interaction: 'update',
          resourceType,
          status: err instanceof FhirError ? err.status : 500,
          failure: err instanceof Error ? err.message : String(err),
          resources: [],
        });
        throw atEntry(err, p.index);
      }
      p.batched = true;
    }
    const written = await store.insertNew(
      creates.map(({ p, resource }) => ({
        resourceType: p.target!.resourceType,
        id: p.target!.id,
        resource,
        ...(p.batched ? { method: 'PUT' as const } : {}),
      })),
    );
    written.forEach((w, k) => {
      creates[k]!.p.result = {
        status: 201,
        headers: locationHeaders(w.stored, ctx.baseUrl),
        resource: w.resource,
      };
    });

    for (const p of method('PUT', 'PATCH')) {
      if (p.batched) continue;
      const req = rewritten(p, fullUrls);
      if (p.req.method === 'PUT') {
        const { resourceType, id } = p.target!;
        await run(p, {
          ...req,
          path: [resourceType, id],
          query: new URLSearchParams(),
          body: { ...(req.body as object), id },
          ...(p.serverAssignedId ? { serverAssignedId: true } : {}),
        });
      } else {
        await run(p, req);
      }
    }
    for (const p of method('GET', 'HEAD')) await run(p, p.req);
  });

  return {
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: plans.map((p) =>
      entryResponse(
        p.existing ?? p.result!,
        prefer.representation || p.req.method === 'GET' || p.req.method === 'HEAD',
      ),
    ),
  };
}

/** The entry's request with fullUrls and conditional references replaced, patch documents included. */
function rewritten(p: Planned, map: Map<string, string>): FhirRequest {
  const body = rewriteReferences(p.req.body, map);
  checkNoDanglingUrns(body, p.index);
  let patch = p.req.patch;
  if (patch?.kind === 'fhirpath') {
    patch = { kind: 'fhirpath', parameters: body };
  } else if (patch?.kind === 'json-patch') {
    patch = { kind: 'json-patch', operations: rewriteReferences(patch.operations, map) };
    checkNoDanglingUrns(patch.operations, p.index);
  }
  return { ...p.req, body, patch };
}

function checkNoDanglingUrns(body: unknown, index: number): void {
  forEachReference(body, (ref) => {
    if (ref.startsWith('urn:uuid:') || ref.startsWith('urn:oid:')) {
      throw entryError(400, index, `reference '${ref}' is not the fullUrl of any entry in this transaction`);
    }
  });
}

function checkFullUrls(plans: Pick<Planned, 'index' | 'entry' | 'req'>[]): void {
  const seen = new Map<string, number>();
  for (const p of plans) {
    if (p.req.path.length === 0)
      throw entryError(400, p.index, 'a transaction may not contain a batch or transaction');
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
}
