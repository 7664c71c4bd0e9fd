import { FhirError } from '../errors.ts';
import { parseFhirJson } from '../format/json.ts';
import { interactionQuery, type FhirRequest } from '../rest/routes.ts';
import type { PatchDocument } from '../rest/patch.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']);

export interface BundleEntry {
  fullUrl?: string;
  resource?: Record<string, unknown>;
  request?: {
    method?: string;
    url?: string;
    ifNoneMatch?: string;
    ifModifiedSince?: string;
    ifMatch?: string;
    ifNoneExist?: string;
  };
}

/** What the request that carried the Bundle asked of every entry (its Prefer header). */
export interface BundlePrefer {
  /** `return=representation`: resources in the entries' responses. */
  representation: boolean;
  /** `handling=lenient`: the entries' searches ignore unknown parameters instead of refusing them. */
  lenient: boolean;
}

/** Bundle.entry[i].request → the same FhirRequest an HTTP request becomes. */
export function entryRequest(
  entry: BundleEntry,
  index: number,
  baseUrl: string,
  prefer: BundlePrefer,
): FhirRequest {
  const where = `Bundle.entry[${index}].request`;
  const method = entry.request?.method;
  if (typeof method !== 'string' || !METHODS.has(method)) {
    throw entryError(
      400,
      index,
      `${where}.method must be one of ${[...METHODS].join(', ')}`,
      `${where}.method`,
    );
  }
  let url = entry.request?.url;
  if (typeof url !== 'string' || url === '')
    throw entryError(400, index, `${where}.url is required`, `${where}.url`);
  if (/^https?:\/\//.test(url)) {
    if (!url.startsWith(`${baseUrl}/`)) {
      throw entryError(400, index, `${where}.url '${url}' is not on this server`, `${where}.url`);
    }
    url = url.slice(baseUrl.length + 1);
  }
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).split('/').filter((s) => s !== '');
  const query = interactionQuery(q < 0 ? '' : url.slice(q + 1));
  const body = entry.resource;
  if ((method === 'POST' || method === 'PUT') && body === undefined && path[1] !== '$validate') {
    throw entryError(
      400,
      index,
      `Bundle.entry[${index}].resource is required for ${method}`,
      `Bundle.entry[${index}]`,
    );
  }
  let patch: PatchDocument | undefined;
  if (method === 'PATCH') {
    patch = isBinaryJsonPatch(body)
      ? { kind: 'json-patch', operations: decodeJsonPatch(body.data, index) }
      : { kind: 'fhirpath', parameters: body };
  }
  return {
    method: method as FhirRequest['method'],
    path,
    query,
    body,
    patch,
    lenient: prefer.lenient,
    pre: {
      ifMatch: entry.request?.ifMatch,
      ifNoneMatch: entry.request?.ifNoneMatch,
      ifModifiedSince: entry.request?.ifModifiedSince,
      ifNoneExist: entry.request?.ifNoneExist,
    },
  };
}

function decodeJsonPatch(data: string, index: number): unknown {
  try {
    return parseFhirJson(Buffer.from(data, 'base64').toString('utf8'));
  } catch {
    const where = `Bundle.entry[${index}].resource.data`;
    throw entryError(400, index, 'the Binary data is not a base64-encoded JSON Patch document', where);
  }
}

/** JSON Patch inside a Bundle travels as a Binary with contentType application/json-patch+json. */
function isBinaryJsonPatch(body: unknown): body is { data: string } {
  const b = body as { resourceType?: unknown; contentType?: unknown; data?: unknown } | undefined;
  return (
    b?.resourceType === 'Binary' &&
    b.contentType === 'application/json-patch+json' &&
    typeof b.data === 'string'
  );
}

export function entryError(status: number, index: number, message: string, expression?: string): FhirError {
  return new FhirError(status, [
    {
      severity: 'error',
      code: status === 412 ? 'conflict' : status === 404 ? 'not-found' : 'invalid',
      diagnostics: `Bundle.entry[${index}]: ${message}`,
      expression: [expression ?? `Bundle.entry[${index}]`],
    },
  ]);
}
