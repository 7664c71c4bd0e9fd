/**
 * A backend-services token the way an operator gets one: the client is registered with the
 * CLI (`npm run clients -- keygen` / `register`) on the database the server will use, and the
 * token is asked for with a signed client assertion (private_key_jwt). The benchmark and
 * conformance:ci use it, so they call the server as a hospital system would.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';

export interface CliClient {
  clientId: string;
  privateJwk: JWK;
}

const root = new URL('../../', import.meta.url).pathname;

function cli(args: string[], env: Record<string, string>): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'server/cli/clients.ts', ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Registers a backend client with `scope` on the database `env` names (DATABASE_URL / PGLITE_DATA_DIR). */
export function registerWithCli(env: Record<string, string>, scope: string, name = 'operator'): CliClient {
  const keys = JSON.parse(cli(['keygen'], env)) as { privateJwk: JWK; publicJwks: object };
  const dir = mkdtempSync(join(tmpdir(), 'zorgpoort-jwks-'));
  try {
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify(keys.publicJwks));
    const out = JSON.parse(cli(['register', '--name', name, '--jwks-file', file, '--scope', scope], env)) as {
      client_id: string;
    };
    return { clientId: out.client_id, privateJwk: keys.privateJwk };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A client_credentials access token from the server at `baseUrl`. */
export async function clientCredentialsToken(
  baseUrl: string,
  client: CliClient,
  scope: string,
): Promise<string> {
  const alg = client.privateJwk.alg ?? 'ES384';
  const key = await importJWK(client.privateJwk, alg);
  const tokenUrl = `${baseUrl}/oauth/token`;
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ jti: crypto.randomUUID() })
    .setProtectedHeader({ alg, kid: client.privateJwk.kid, typ: 'JWT' })
    .setIssuer(client.clientId)
    .setSubject(client.clientId)
    .setAudience(tokenUrl)
    .setIssuedAt(now)
    .setExpirationTime(now + 240)
    .sign(key);
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token) {
    throw new Error(`token refused (${res.status}): ${body.error ?? ''} ${body.error_description ?? ''}`);
  }
  return body.access_token;
}

/**
 * The Authorization header for `client`, renewed when the token is older than `renewAfterMs`
 * (backend tokens live five minutes; a benchmark or a suite may run longer).
 */
export function bearerSource(baseUrl: string, client: CliClient, scope: string, renewAfterMs = 240_000) {
  let current: { header: string; at: number } | undefined;
  return async (): Promise<string> => {
    if (!current || Date.now() - current.at > renewAfterMs) {
      current = { header: `Bearer ${await clientCredentialsToken(baseUrl, client, scope)}`, at: Date.now() };
    }
    return current.header;
  };
}
