import { STATUS_CODES } from 'node:http';
import { FhirError } from '../errors.ts';
import { operationOutcome } from '../outcome.ts';
import { resultResource, type FhirResult } from '../rest/types.ts';

export const statusText = (status: number) => `${status} ${STATUS_CODES[status] ?? ''}`.trim();

/** Bundle.entry.response (+ resource) for one processed entry. */
export function entryResponse(result: FhirResult, includeResource: boolean): Record<string, unknown> {
  const h = result.headers;
  const resource = includeResource ? resultResource(result) : undefined;
  return {
    ...(resource ? { resource } : {}),
    response: {
      status: statusText(result.status),
      ...(h.Location
        ? { location: h.Location }
        : h['Content-Location']
          ? { location: h['Content-Location'] }
          : {}),
      ...(h.ETag ? { etag: h.ETag } : {}),
      ...lastModified(result),
    },
  };
}

/** From meta.lastUpdated when there is a resource: the HTTP date has only whole seconds. */
function lastModified(result: FhirResult): { lastModified?: string } {
  const meta = result.resource?.meta?.lastUpdated;
  if (meta) return { lastModified: meta };
  const http = result.headers['Last-Modified'];
  return http ? { lastModified: new Date(http).toISOString() } : {};
}

/** A failed batch entry carries its OperationOutcome instead of a resource. */
export function errorEntry(err: FhirError): Record<string, unknown> {
  return { response: { status: statusText(err.status), outcome: operationOutcome(err.issues) } };
}

/** Prefixes an entry's error with its position so the client can find the culprit. */
export function atEntry(err: unknown, index: number): unknown {
  if (!(err instanceof FhirError)) return err;
  const prefix = `Bundle.entry[${index}]`;
  return new FhirError(
    err.status,
    err.issues.map((i) => ({
      ...i,
      diagnostics: i.diagnostics?.startsWith(prefix)
        ? i.diagnostics
        : `${prefix}: ${i.diagnostics ?? i.code}`,
      expression: i.expression?.length ? i.expression : [prefix],
    })),
    { headers: err.headers },
  );
}
