import type { Request } from 'express';
import { FhirError } from '../fhir/errors.ts';
import type { PatchDocument } from '../fhir/rest/patch.ts';
import { parseJson } from './format/json-guard.ts';
import { parseFhirXml } from '../fhir/format/xml/index.ts';

export interface BodyLimits {
  maxBodyBytes: number;
  maxJsonDepth: number;
  maxXmlDepth: number;
}

export type ParsedBody = { body?: unknown; patch?: PatchDocument; form?: URLSearchParams };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Reads the raw body, refusing oversized ones from Content-Length before reading any of it. */
async function readRaw(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): FhirError {
  return new FhirError(413, `The request body exceeds ${limit} bytes`, { code: 'too-costly' });
}

function mediaType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json+fhir']);
const XML_TYPES = new Set(['application/fhir+xml', 'application/xml', 'text/xml', 'application/xml+fhir']);

/** The request body as a FHIR resource (JSON or XML) or a patch document. */
export async function readBody(req: Request, limits: BodyLimits): Promise<ParsedBody> {
  const raw = await readRaw(req, limits.maxBodyBytes);
  if (raw.length === 0) return {};
  const type = mediaType(req);
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new FhirError(400, 'The request body is not valid UTF-8', { code: 'structure' });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (type === 'application/json-patch+json') {
    if (req.method !== 'PATCH') throw unsupported(type);
    return { patch: { kind: 'json-patch', operations: parseJson(text, limits.maxJsonDepth) } };
  }
  if (type === 'application/x-www-form-urlencoded') {
    // Only `POST [base]/[type]/_search` takes a form; the route decides whether it is allowed.
    return { form: new URLSearchParams(text) };
  }
  let body: unknown;
  if (JSON_TYPES.has(type)) body = parseJson(text, limits.maxJsonDepth);
  else if (XML_TYPES.has(type)) body = parseFhirXml(text, { maxDepth: limits.maxXmlDepth });
  else throw unsupported(type || '(none)');
  return req.method === 'PATCH' ? { patch: { kind: 'fhirpath', parameters: body } } : { body };
}

function unsupported(type: string): FhirError {
  return new FhirError(
    415,
    `Content-Type ${type} is not supported; use application/fhir+json or application/fhir+xml` +
      ' (application/json-patch+json for PATCH)',
    { code: 'not-supported' },
  );
}
