import { readFileSync } from 'node:fs';
import type { Principal } from './principal.ts';

/**
 * Static bearer tokens per patient, for running the Nictiz qualification TestScripts: the
 * file has their `Configuration/QualificationTokens.json` shape,
 * `[{ "accessToken": "Bearer …", "resourceId": "<Patient id>" }]`. Anyone holding such a
 * token is that patient, with no expiry, and may write anything (the load scripts need it), so
 * the server refuses them in production.
 */
export interface ConformanceTokens {
  /** The principal for an Authorization header value, or undefined for an unknown token. */
  principal(authorization: string): Principal | undefined;
  readonly size: number;
}

interface Entry {
  accessToken?: unknown;
  resourceId?: unknown;
}

function bare(token: string): string {
  return token.replace(/^Bearer\s+/i, '').trim();
}

export function loadConformanceTokens(
  file: string,
  warn: (message: string) => void = () => {},
): ConformanceTokens {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`CONFORMANCE_TOKENS_FILE ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(entries)) throw new Error(`CONFORMANCE_TOKENS_FILE ${file}: expected a JSON list`);
  const byToken = new Map<string, string>();
  for (const [i, e] of (entries as Entry[]).entries()) {
    if (typeof e?.accessToken !== 'string' || typeof e.resourceId !== 'string') {
      throw new Error(`CONFORMANCE_TOKENS_FILE ${file}: entry ${i} needs accessToken and resourceId strings`);
    }
    // Nictiz's upstream file has an entry whose token is only "Bearer ": no request can carry
    // it, so it names nobody; the rest of the file is still good.
    if (bare(e.accessToken) === '') {
      warn(`CONFORMANCE_TOKENS_FILE ${file}: entry ${i} (${e.resourceId}) has an empty token and is skipped`);
      continue;
    }
    byToken.set(bare(e.accessToken), e.resourceId);
  }
  return {
    size: byToken.size,
    principal(authorization) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      const patientId = m ? byToken.get(m[1]!) : undefined;
      return patientId === undefined
        ? undefined
        : { kind: 'patient', patientId, via: 'conformance-token', writeAll: true };
    },
  };
}
