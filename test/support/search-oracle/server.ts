import { readdirSync, readFileSync } from 'node:fs';
import { FHIR_JSON, jsonHeaders, type TestServer } from '../harness.ts';
import type { Stored } from './dataset.ts';
import type { QueryParams } from './query.ts';

/** The oracle's side of the HTTP conversation: loading the fixtures and paging through searches. */

type Json = Record<string, any>;

const EXAMPLES = new URL('../../fixtures/r4/examples/', import.meta.url);
const SYNTHEA = new URL('../../fixtures/synthea/', import.meta.url);
/** Rejected by the server on purpose (test/fixtures/SOURCES.md). */
const KNOWN_INVALID = new Set(['DiagnosticReport-gingival-mass.json', 'Questionnaire-qs1.json']);
/** 704 examples less the two known-invalid ones, and the ten Synthea bundles. */
export const FIXTURE_COUNT = 702 + 1341;

const readJson = (dir: URL, name: string): Json =>
  JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Json;
const jsonFiles = (dir: URL) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();

async function send(server: TestServer, path: string, method: string, body: Json): Promise<Json> {
  const res = await server.fetch(path, {
    method,
    headers: jsonHeaders({ Prefer: 'return=representation' }),
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Json;
  if (res.status >= 300)
    throw new Error(`${method} /${path}: ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

/** The resources of a transaction response, as stored (read back where an entry has none). */
async function storedFrom(server: TestServer, response: Json): Promise<Json[]> {
  const out: Json[] = [];
  for (const entry of response.entry as Json[]) {
    if (!/^20[01]/.test(entry.response?.status ?? ''))
      throw new Error(`entry failed: ${JSON.stringify(entry)}`);
    if (entry.resource) out.push(entry.resource);
    else {
      const location = String(entry.response.location).replace(/\/_history\/.*$/, '');
      const res = await server.fetch(location, { headers: { Accept: FHIR_JSON } });
      out.push((await res.json()) as Json);
    }
  }
  return out;
}

/**
 * Loads the official examples (ids kept, by PUT) and the Synthea bundles (as transactions), and
 * returns what the server stored, in load order.
 */
export async function loadFixtures(server: TestServer): Promise<Stored[]> {
  const stored: Json[] = [];
  const examples = jsonFiles(EXAMPLES).filter((f) => !KNOWN_INVALID.has(f));
  // Bundle examples hold urn:uuid references among their own entries, which a transaction
  // would try to resolve as its own: those go one PUT at a time.
  for (const name of examples.filter((f) => f.startsWith('Bundle-'))) {
    const r = readJson(EXAMPLES, name);
    stored.push(await send(server, `Bundle/${r.id}`, 'PUT', r));
  }
  const rest = examples.filter((f) => !f.startsWith('Bundle-'));
  for (let i = 0; i < rest.length; i += 100) {
    const entry = rest.slice(i, i + 100).map((name) => {
      const r = readJson(EXAMPLES, name);
      return { resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } };
    });
    const response = await send(server, '', 'POST', { resourceType: 'Bundle', type: 'transaction', entry });
    stored.push(...(await storedFrom(server, response)));
  }
  for (const name of jsonFiles(SYNTHEA)) {
    stored.push(...(await storedFrom(server, await send(server, '', 'POST', readJson(SYNTHEA, name)))));
  }
  return stored.map((resource) => ({ type: resource.resourceType, id: resource.id, resource }));
}

export type SearchAnswer = { ids: string[]; total?: number } | { error: string };

/** Every match of a search with `_count=500`, following `next` links; or why there is no answer. */
export async function searchAll(
  server: TestServer,
  type: string,
  params: QueryParams,
): Promise<SearchAnswer> {
  let url: string | undefined =
    `${server.base}/${type}?${new URLSearchParams([...params, ['_count', '500']])}`;
  const ids: string[] = [];
  let total: number | undefined;
  for (let page = 0; url; page++) {
    if (page > 20) return { error: 'more than 20 pages: the next links do not end' };
    const res = await server.fetch(url, { headers: { Accept: FHIR_JSON } });
    const body = (await res.json().catch(() => ({}))) as Json;
    if (res.status !== 200) {
      const why = (body.issue as Json[] | undefined)?.map((i) => i.diagnostics).join('; ');
      return { error: `HTTP ${res.status}: ${why ?? JSON.stringify(body).slice(0, 300)}` };
    }
    if (body.resourceType !== 'Bundle' || body.type !== 'searchset')
      return { error: 'not a searchset Bundle' };
    for (const e of (body.entry ?? []) as Json[]) {
      if (e.search?.mode === 'include' || e.search?.mode === 'outcome') continue;
      ids.push(`${e.resource.resourceType}/${e.resource.id}`);
    }
    total ??= body.total;
    url = (body.link as Json[] | undefined)?.find((l) => l.relation === 'next')?.url;
  }
  return { ids, ...(total !== undefined && { total }) };
}
