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
import type { JWK } from 'jose';
import { clientCredentialsToken } from '../../server/cli/client-token.ts';

export { clientCredentialsToken };

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
export function registerWithCli(
  env: Record<string, string>,
  scope: string,
  name = 'operator',
  options: { trusted?: boolean; organization?: string } = {},
): CliClient {
  const keys = JSON.parse(cli(['keygen'], env)) as { privateJwk: JWK; publicJwks: object };
  const dir = mkdtempSync(join(tmpdir(), 'zorgpoort-jwks-'));
  try {
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify(keys.publicJwks));
    const args = ['register', '--name', name, '--jwks-file', file, '--scope', scope];
    if (options.trusted) args.push('--trusted');
    if (options.organization) args.push('--organization', options.organization);
    const out = JSON.parse(cli(args, env)) as {
      client_id: string;
    };
    return { clientId: out.client_id, privateJwk: keys.privateJwk };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
