import { mimeType, send, serializeBody, type Exchange } from './exchange.ts';
import type { Resource } from './fixtures.ts';
import type { Operation } from './model.ts';
import type { RunState } from './state.ts';

const METHOD: Record<string, string> = {
  read: 'GET',
  vread: 'GET',
  search: 'GET',
  history: 'GET',
  capabilities: 'GET',
  create: 'POST',
  transaction: 'POST',
  batch: 'POST',
  update: 'PUT',
  updateCreate: 'PUT',
  delete: 'DELETE',
  patch: 'PATCH',
  // Interoplab's purge: POST [type]/[id]/$purge.
  purge: 'POST',
};

/** The `Type/id` (and version) an operation's `targetId` points at: a fixture or an earlier response. */
function target(state: RunState, targetId: string): { type: string; id: string; vid?: string } {
  const src = state.source(targetId);
  if (!src) throw new Error(`targetId '${targetId}' names no fixture or response`);
  const res = src.resource;
  if (res?.id) {
    const meta = res.meta as { versionId?: string } | undefined;
    return { type: res.resourceType, id: res.id, vid: meta?.versionId };
  }
  const location = src.exchange?.response?.headers.location;
  const m = location ? /([A-Z][A-Za-z]+)\/([^/]+)(?:\/_history\/([^/]+))?\/?$/.exec(location) : null;
  if (!m) throw new Error(`targetId '${targetId}' has no resource id`);
  return { type: m[1]!, id: m[2]!, vid: m[3] };
}

/** Percent-encodes what a URL may not carry raw, keeping the query's `?&=` structure. */
function encodeQuery(path: string): string {
  const q = path.indexOf('?');
  if (q < 0) return path;
  const pairs = path
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const enc = (s: string) => encodeURIComponent(decodeURIComponentSafe(s));
      return eq < 0 ? enc(pair) : `${enc(pair.slice(0, eq))}=${enc(pair.slice(eq + 1))}`;
    });
  return `${path.slice(0, q)}?${pairs.join('&')}`;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function requestPath(op: Operation, state: RunState, code: string): string {
  if (op.url !== undefined) return state.substitute(op.url);
  const params = op.params !== undefined ? state.substitute(op.params) : '';
  if (code === 'capabilities') return 'metadata';
  if (code === 'transaction' || code === 'batch') return params;
  let path = op.resource ?? '';
  if (op.targetId !== undefined) {
    const t = target(state, op.targetId);
    path = `${t.type}/${t.id}`;
    if (code === 'vread') path += `/_history/${t.vid ?? ''}`;
  }
  if (code === 'history') path += '/_history';
  if (params === '') return path;
  return params.startsWith('?') || params.startsWith('/') ? path + params : `${path}/${params}`;
}

/**
 * An update sends the fixture to the id in the URL: the HL7 scripts PUT `fixture-patient-update`
 * (id pat1) to `Patient/${createResourceId}`, which a server must refuse if the ids differ.
 */
function withUrlId(resource: Resource, method: string, url: string): Resource {
  if (method !== 'PUT' || resource.id === undefined) return resource;
  const m = new RegExp(`/${resource.resourceType}/([A-Za-z0-9\\-.]{1,64})(?:[?#]|$)`).exec(url);
  return m && m[1] !== resource.id ? { ...resource, id: m[1] } : resource;
}

export function buildRequest(op: Operation, state: RunState): Exchange['request'] {
  const code = op.type ?? (op.method ? 'custom' : 'read');
  if (!op.method && METHOD[code] === undefined) {
    // Guessing (say, a GET for `validate`) would turn it into a search that answers 200.
    throw new Error(`operation type '${code}' is not supported without an explicit method`);
  }
  const method = (op.method ?? METHOD[code]!).toUpperCase();
  const base = state.options.bases[(op.destination ?? 1) - 1] ?? state.options.bases[0]!;
  let path = requestPath(op, state, code);
  if (op.encodeRequestUrl) path = encodeQuery(path);
  const url = /^https?:\/\//.test(path) ? path : `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  const headers: Record<string, string> = {};
  const accept = mimeType(op.accept);
  if (accept) headers.accept = accept;
  let body: string | undefined;
  if (op.sourceId !== undefined && method !== 'GET' && method !== 'DELETE') {
    const src = state.source(op.sourceId);
    const resource = src?.resource;
    if (!resource) throw new Error(`sourceId '${op.sourceId}' names no resource`);
    const contentType = mimeType(op.contentType ?? 'json') || 'application/fhir+json';
    headers['content-type'] = contentType;
    body = serializeBody(withUrlId(resource, method, url), contentType);
  }
  for (const h of op.requestHeader) {
    const value = state.substitute(h.value);
    headers[h.field.toLowerCase()] = state.options.tokenMap.get(value) ?? value;
  }
  if (state.options.authorization && headers.authorization === undefined) {
    headers.authorization = state.options.authorization;
  }
  return { method, url, headers, body };
}

export async function runOperation(op: Operation, state: RunState): Promise<Exchange> {
  const request = buildRequest(op, state);
  const exchange = await send(request, state.options.timeoutMs);
  state.last = exchange;
  if (op.responseId) state.sources.set(op.responseId, { exchange, resource: exchange.response?.resource });
  if (op.requestId) state.sources.set(op.requestId, { exchange });
  return exchange;
}
