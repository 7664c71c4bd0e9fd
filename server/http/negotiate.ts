import type { Request } from 'express';
import { FhirError } from '../fhir/errors.ts';

export type OutputFormat = 'json' | 'xml';

const FORMAT_PARAM: Record<string, OutputFormat> = {
  json: 'json',
  'application/json': 'json',
  'application/fhir+json': 'json',
  'application/json+fhir': 'json',
  xml: 'xml',
  'text/xml': 'xml',
  'application/xml': 'xml',
  'application/fhir+xml': 'xml',
  'application/xml+fhir': 'xml',
};

/** `_format` wins over Accept; JSON when neither says. */
export function outputFormat(req: Request): OutputFormat {
  const param = typeof req.query._format === 'string' ? req.query._format : undefined;
  if (param !== undefined) {
    const f = FORMAT_PARAM[param.trim().toLowerCase()];
    if (!f)
      throw new FhirError(400, `_format '${param}' is not supported (json or xml)`, {
        code: 'not-supported',
      });
    return f;
  }
  const accept = req.headers.accept;
  if (!accept) return 'json';
  for (const part of accept.split(',')) {
    const type = part.split(';')[0]!.trim().toLowerCase();
    const f = FORMAT_PARAM[type];
    if (f) return f;
    if (type === '*/*' || type === 'application/*') return 'json';
  }
  return 'json';
}

export function isPretty(req: Request): boolean {
  return req.query._pretty === 'true';
}

export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';

export function preferReturn(req: Request): ReturnPreference {
  const prefer = req.headers.prefer;
  const m = /return=(minimal|representation|OperationOutcome)/i.exec(
    Array.isArray(prefer) ? prefer.join(',') : (prefer ?? ''),
  );
  if (!m) return 'representation';
  const v = m[1]!.toLowerCase();
  return v === 'minimal' ? 'minimal' : v === 'operationoutcome' ? 'OperationOutcome' : 'representation';
}
