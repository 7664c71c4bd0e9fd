import { FhirError } from '../errors.ts';
import type { StoredVersion } from '../storage/types.ts';

// Quotes must balance: `W/"1` is not an ETag.
const ETAG = /^(?:W\/"[0-9]{1,9}"|"[0-9]{1,9}"|[0-9]{1,9})$/;

export function etag(versionId: number): string {
  return `W/"${versionId}"`;
}

/** Accepts `W/"3"`, `"3"` and `3`; anything else is a malformed precondition. */
export function parseETag(value: string): number {
  const m = /^\s*(?:W\/"([0-9]{1,9})"|"([0-9]{1,9})"|([0-9]{1,9}))\s*$/.exec(value);
  if (!m)
    throw new FhirError(400, `Malformed ETag '${value}': expected W/"<versionId>"`, { code: 'invalid' });
  return Number(m[1] ?? m[2] ?? m[3]);
}

export function versionHeaders(stored: StoredVersion, baseUrl: string): Record<string, string> {
  return {
    ETag: etag(stored.versionId),
    'Last-Modified': stored.lastUpdated.toUTCString(),
    'Content-Location': `${baseUrl}/${stored.resourceType}/${stored.id}/_history/${stored.versionId}`,
  };
}

export function locationHeaders(stored: StoredVersion, baseUrl: string): Record<string, string> {
  const location = `${baseUrl}/${stored.resourceType}/${stored.id}/_history/${stored.versionId}`;
  return {
    ETag: etag(stored.versionId),
    'Last-Modified': stored.lastUpdated.toUTCString(),
    Location: location,
  };
}

/** If-Match against the current version; a missing or deleted resource never matches. */
export function checkIfMatch(ifMatch: string | undefined, current: StoredVersion | undefined): void {
  if (ifMatch === undefined) return;
  const wanted = ifMatch.trim() === '*' ? '*' : parseETag(ifMatch);
  if (!current || current.deleted) {
    throw new FhirError(412, `If-Match ${ifMatch}: the resource does not exist`, { code: 'conflict' });
  }
  if (wanted === '*') return;
  if (current.versionId !== wanted) {
    throw new FhirError(
      412,
      `If-Match ${ifMatch} does not match the current version ${etag(current.versionId)}`,
      {
        code: 'conflict',
      },
    );
  }
}

/** True when a conditional read may answer 304 Not Modified. */
export function notModified(
  stored: StoredVersion,
  ifNoneMatch: string | undefined,
  ifModifiedSince: string | undefined,
): boolean {
  if (ifNoneMatch !== undefined) {
    // If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2).
    return ifNoneMatch
      .split(',')
      .map((s) => s.trim())
      .some((tag) => tag === '*' || (ETAG.test(tag) && parseETag(tag) === stored.versionId));
  }
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    if (Number.isNaN(since)) return false; // an invalid date is ignored (RFC 9110)
    return Math.floor(stored.lastUpdated.getTime() / 1000) <= Math.floor(since / 1000);
  }
  return false;
}
