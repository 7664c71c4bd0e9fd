import { parseFhirXml, toFhirXml } from '../../server/fhir/format/xml/index.ts';
import type { Resource } from './fixtures.ts';

/** One HTTP request and its response, as the asserts see them. */
export interface Exchange {
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: {
    status: number;
    headers: Record<string, string>;
    body: string;
    resource?: Resource;
    /** Why the body could not be read as a resource, when it looked like one. */
    parseError?: string;
  };
}

const MIME: Record<string, string> = {
  json: 'application/fhir+json',
  xml: 'application/fhir+xml',
  ttl: 'text/turtle',
  none: '',
};

/** `json`/`xml` (the TestScript short forms) or a full media type. */
export function mimeType(format: string | undefined): string | undefined {
  if (format === undefined) return undefined;
  return MIME[format] ?? format;
}

export function serializeBody(resource: Resource, contentType: string): string {
  return contentType.includes('xml') ? toFhirXml(resource) : JSON.stringify(resource);
}

export function parseBody(body: string, contentType: string): { resource?: Resource; parseError?: string } {
  if (body.trim() === '') return {};
  try {
    if (contentType.includes('xml')) return { resource: parseFhirXml(body) as Resource };
    if (contentType.includes('json')) return { resource: JSON.parse(body) as Resource };
  } catch (e) {
    return { parseError: (e as Error).message };
  }
  return {};
}

export async function send(request: Exchange['request'], timeoutMs: number): Promise<Exchange> {
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await res.text();
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return {
    request,
    response: { status: res.status, headers, body, ...parseBody(body, headers['content-type'] ?? '') },
  };
}
