import type { Request, Response } from 'express';
import type { FhirResult } from '../fhir/rest/types.ts';
import type { Resource } from '../fhir/storage/types.ts';
import { operationOutcome, type OperationOutcomeIssue } from '../fhir/outcome.ts';
import { toFhirXml } from '../fhir/format/xml/index.ts';
import { parseFhirJson, stringifyFhirJson } from '../fhir/format/json.ts';
import { isPretty, outputFormat, preferReturn, type OutputFormat } from './negotiate.ts';

const CONTENT_TYPE: Record<OutputFormat, string> = {
  json: 'application/fhir+json; charset=utf-8',
  xml: 'application/fhir+xml; charset=utf-8',
};

/** Writes a resource (parsed, or stored JSON text) in the negotiated format. */
export function sendResource(
  req: Request,
  res: Response,
  status: number,
  resource: Resource | undefined,
  json?: string,
) {
  let format: OutputFormat = 'json';
  try {
    format = outputFormat(req);
  } catch {
    // A bad _format must not hide the real answer (often an error being reported).
  }
  const pretty = isPretty(req);
  res.status(status);
  res.setHeader('Content-Type', CONTENT_TYPE[format]);
  let body: string;
  if (format === 'json') {
    body =
      json !== undefined && !pretty
        ? json
        : stringifyFhirJson(resource ?? parseFhirJson(json!), pretty ? 2 : undefined);
  } else {
    body = toFhirXml((resource ?? parseFhirJson(json!)) as Record<string, unknown>, { pretty });
  }
  if (req.method === 'HEAD') {
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end();
  } else {
    res.end(body);
  }
}

export function sendOutcome(req: Request, res: Response, status: number, issues: OperationOutcomeIssue[]) {
  sendResource(req, res, status, operationOutcome(issues) as unknown as Resource);
}

/** Applies headers and `Prefer: return=…` to an interaction's result. */
export function sendResult(req: Request, res: Response, result: FhirResult) {
  for (const [k, v] of Object.entries(result.headers)) res.setHeader(k, v);
  if (result.body) {
    res.status(result.status).setHeader('Content-Type', result.body.contentType);
    res.setHeader('Content-Length', Buffer.byteLength(result.body.content));
    res.end(req.method === 'HEAD' ? undefined : result.body.content);
    return;
  }
  const hasBody = result.resource !== undefined || result.json !== undefined;
  if (result.status === 304 || (!hasBody && result.outcomeText === undefined)) {
    res.status(result.status).end();
    return;
  }
  const isWrite =
    req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH' || req.method === 'DELETE';
  const prefer = isWrite ? preferReturn(req) : 'representation';
  if (prefer === 'minimal' || (!hasBody && prefer === 'representation')) {
    res.status(result.status).end();
  } else if (prefer === 'OperationOutcome') {
    const outcome = result.outcomeText
      ? (JSON.parse(result.outcomeText) as Resource)
      : (operationOutcome([
          {
            severity: 'information',
            code: 'informational',
            diagnostics: `${req.method} succeeded (${result.status})`,
          },
        ]) as unknown as Resource);
    sendResource(req, res, result.status === 204 ? 200 : result.status, outcome);
  } else {
    sendResource(req, res, result.status, result.resource, result.json);
  }
}
