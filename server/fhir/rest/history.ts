import { FhirError } from '../errors.ts';
import { parseFhirJson } from '../format/json.ts';
import type { HistoryEntry, Resource } from '../storage/types.ts';
import { parseCount, parseInstantParam, single } from './params.ts';
import type { FhirResult, RestContext } from './types.ts';
import { etag } from './versioning.ts';

const KNOWN = new Set(['_count', '_since', '_at', '_cursor']);

/** _history at system, type or instance level, newest first, paged by a write-order cursor. */
export async function history(
  ctx: RestContext,
  target: { resourceType?: string; id?: string },
  params: URLSearchParams,
): Promise<FhirResult> {
  for (const name of params.keys()) {
    if (!KNOWN.has(name))
      throw new FhirError(400, `Unknown _history parameter '${name}'`, { code: 'not-supported' });
  }
  const count = parseCount(
    single(params, '_count'),
    ctx.limits.defaultHistoryCount,
    ctx.limits.maxHistoryCount,
  );
  const sinceRaw = single(params, '_since');
  const atRaw = single(params, '_at');
  const cursor = single(params, '_cursor');
  if (cursor !== null && !(/^[0-9]{1,19}$/.test(cursor) && BigInt(cursor) <= 2n ** 63n - 1n)) {
    throw new FhirError(400, `_cursor: '${cursor}' is not a valid paging cursor`, { code: 'value' });
  }
  if (target.id && !(await ctx.store.knows(target.resourceType!, target.id))) {
    throw new FhirError(404, `${target.resourceType}/${target.id} is not known`, { code: 'not-found' });
  }
  // One extra row tells whether there is a next page without a count query.
  const rows = await ctx.store.history({
    ...target,
    since: sinceRaw === null ? undefined : parseInstantParam('_since', sinceRaw),
    at: atRaw === null ? undefined : parseInstantParam('_at', atRaw),
    beforeVid: cursor ?? undefined,
    count: count + 1,
  });
  const page = rows.slice(0, count).filter((row) => ctx.store.shows(row));
  const path = [target.resourceType, target.id, '_history'].filter(Boolean).join('/');
  const base = `${ctx.baseUrl}/${path}`;
  const query = (extra: Record<string, string>) => {
    const q = new URLSearchParams();
    q.set('_count', String(count));
    if (sinceRaw !== null) q.set('_since', sinceRaw);
    if (atRaw !== null) q.set('_at', atRaw);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return `${base}?${q.toString()}`;
  };
  const link = [{ relation: 'self', url: query(cursor ? { _cursor: cursor } : {}) }];
  if (rows.length > count && page.length > 0) {
    link.push({ relation: 'next', url: query({ _cursor: page[page.length - 1]!.vid }) });
  }
  const total = target.id ? await ctx.store.countVersions(target.resourceType!, target.id) : undefined;
  const bundle: Resource = {
    resourceType: 'Bundle',
    type: 'history',
    ...(total !== undefined ? { total } : {}),
    link,
    entry: page.map((row) => historyEntry(row, ctx.baseUrl)),
  };
  return { status: 200, headers: {}, resource: bundle };
}

function historyEntry(row: HistoryEntry, baseUrl: string): Record<string, unknown> {
  const url = `${row.resourceType}/${row.id}`;
  return {
    fullUrl: `${baseUrl}/${url}`,
    ...(row.content ? { resource: parseFhirJson(row.content) as Resource } : {}),
    request: { method: row.method, url: row.method === 'POST' ? row.resourceType : url },
    response: {
      status: row.method === 'DELETE' ? '204' : row.versionId === 1 ? '201' : '200',
      etag: etag(row.versionId),
      lastModified: row.lastUpdated.toISOString(),
    },
  };
}
