import knexFactory from 'knex';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/server.ts';

export interface TestServer extends RunningServer {
  /** Base URL of the FHIR API. */
  base: string;
  /** Sends a request to the server; paths are relative to the base. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * A real server on a random port with a database of its own: in-memory PGlite by default,
 * or a fresh database on the Postgres server named by DATABASE_URL (dropped afterwards).
 */
export async function startTestServer(
  overrides: Partial<Config['limits']> = {},
  options: { logger?: Logger } = {},
): Promise<TestServer> {
  const adminUrl = process.env.DATABASE_URL;
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  if (adminUrl) {
    const name = `zorgpoort_test_${process.pid}_${Date.now()}_${counter++}`;
    const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
    await admin.raw(`create database ${name}`);
    await admin.destroy();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const a = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
      await a.raw(`drop database if exists ${name} with (force)`);
      await a.destroy();
    };
  }
  const base = loadConfig({});
  const config: Config = {
    ...base,
    port: 0,
    host: '127.0.0.1',
    databaseUrl,
    pgliteDataDir: 'memory://',
    logLevel: 'silent',
    limits: { ...base.limits, ...overrides },
  };
  const server = await startServer(config, {
    logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  return {
    ...server,
    base: server.url,
    fetch: (path, init) => fetch(`${server.url}/${path.replace(/^\//, '')}`, init),
    close: async () => {
      await server.stop();
      await dropDatabase();
    },
  };
}

export const FHIR_JSON = 'application/fhir+json';
export const FHIR_XML = 'application/fhir+xml';

export function jsonHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { 'Content-Type': FHIR_JSON, Accept: FHIR_JSON, ...extra };
}
