import { readFileSync } from 'node:fs';
import knexFactory from 'knex';
import { Agent, fetch as undiciFetch } from 'undici';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { backendToken, registerBackendClient } from './smart-backend.ts';

export interface TestServer extends RunningServer {
  /** Base URL of the FHIR API, where this server listens. */
  base: string;
  /** The public base URL (`BASE_URL` when configured, else `base`): the issuer and token audience. */
  publicBase: string;
  /** The database it uses, for a second server (`reuseDatabaseOf`) or a CLI run. */
  database: { databaseUrl?: string; pgliteDataDir: string };
  /**
   * The `Authorization` header value of the default caller: a backend client registered with
   * `system/*.cruds` (a hospital system), as every caller needs credentials.
   */
  authorization?: string;
  /**
   * Sends a request to the server (a path relative to the base, or an absolute URL such as a
   * paging link) as the default caller, unless `init` brings an Authorization header of its own.
   */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The same without the default caller's credentials (OAuth endpoints, anonymous requests). */
  fetchBare(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

let counter = 0;

export interface ThrowawayDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the Postgres server of `adminUrl`; `drop` removes it. */
export async function createThrowawayDatabase(adminUrl: string): Promise<ThrowawayDatabase> {
  const name = `zorgpoort_test_${process.pid}_${Date.now()}_${counter++}`;
  const admin = () => knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  const create = admin();
  await create.raw(`create database ${name}`);
  await create.destroy();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = admin();
      await a.raw(`drop database if exists ${name} with (force)`);
      await a.destroy();
    },
  };
}

/**
 * A real server on a random port with a database of its own: in-memory PGlite by default,
 * or a fresh database on the Postgres server named by DATABASE_URL (dropped afterwards).
 */
export async function startTestServer(
  overrides: Partial<Config['limits']> = {},
  options: {
    logger?: Logger;
    /** Config beyond the limits, e.g. `searchParameterFiles`. */
    config?: Partial<Config>;
    /** Use this (stopped) server's database instead of a fresh one; it still owns dropping it. */
    reuseDatabaseOf?: TestServer;
    /** A PGlite data directory instead of memory, so a later server or CLI can open it. */
    pgliteDataDir?: string;
    /** HTTPS: the PEM CA file that issued the server's certificate (default: the certificate itself). */
    tlsCaFile?: string;
    /** The server's clock (what counts days, such as an invitation's 7); the real one by default. */
    clock?: () => Date;
  } = {},
): Promise<TestServer> {
  const adminUrl = process.env.DATABASE_URL;
  const reused = options.reuseDatabaseOf?.database;
  const database = adminUrl && !reused ? await createThrowawayDatabase(adminUrl) : undefined;
  const base = loadConfig({});
  const config: Config = {
    ...base,
    port: 0,
    host: '127.0.0.1',
    databaseUrl: reused ? reused.databaseUrl : database?.url,
    pgliteDataDir: reused?.pgliteDataDir ?? options.pgliteDataDir ?? 'memory://',
    logLevel: 'silent',
    // The default caller's token must outlive the longest test file (examples round-trip).
    smart: { ...base.smart, backendTokenSeconds: 3600 },
    ...options.config,
    limits: { ...base.limits, ...overrides },
  };
  const server = await startServer(config, {
    logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= server.stop());
  const tlsAgent =
    config.tls && new Agent({ connect: { ca: readFileSync(options.tlsCaFile ?? config.tls.certFile) } });
  const test: TestServer = {
    ...server,
    base: server.url,
    publicBase: config.baseUrl ?? server.url,
    database: { databaseUrl: config.databaseUrl, pgliteDataDir: config.pgliteDataDir },
    fetch: (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (test.authorization && !headers.has('authorization'))
        headers.set('authorization', test.authorization);
      return test.fetchBare(path, { ...init, headers });
    },
    fetchBare: (path, init = {}) => {
      const url = /^https?:/.test(path) ? path : `${server.url}/${path.replace(/^\//, '')}`;
      // An HTTPS test server's certificate is trusted for this server only, not process-wide.
      if (!tlsAgent) return fetch(url, init);
      return undiciFetch(url, { ...(init as object), dispatcher: tlsAgent }) as unknown as Promise<Response>;
    },
    stop,
    close: async () => {
      await stop();
      await tlsAgent?.close();
      await database?.drop();
    },
  };
  // The harness's own client loads fixtures for every test: trusted with the whole server, as a
  // network's integration engine would be. Tests of the gate use their own principals.
  const scope = 'system/*.cruds';
  const client = await registerBackendClient(test, { scope, trusted: true });
  test.authorization = `Bearer ${await backendToken(test, client, scope)}`;
  return test;
}

export const FHIR_JSON = 'application/fhir+json';
export const FHIR_XML = 'application/fhir+xml';

export function jsonHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { 'Content-Type': FHIR_JSON, Accept: FHIR_JSON, ...extra };
}

/** The environment a CLI needs to work on `server`'s database (beside it, as an operator would). */
export function cliEnv(server: TestServer, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', ...extra };
  const db = server.database;
  if (db.databaseUrl) env.DATABASE_URL = db.databaseUrl;
  else {
    delete env.DATABASE_URL;
    env.PGLITE_DATA_DIR = db.pgliteDataDir;
  }
  return env;
}

/** PUTs each `[type, id, fields]` as the server's default caller; every one must be created. */
export async function putResources(
  server: TestServer,
  resources: readonly (readonly [string, string, object])[],
): Promise<void> {
  for (const [type, id, fields] of resources) {
    const res = await server.fetch(`${type}/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: type, id, ...fields }),
    });
    if (res.status !== 201) throw new Error(`PUT ${type}/${id}: ${res.status} ${await res.text()}`);
  }
}

/**
 * A FHIR request as one caller: `authorization` is the Authorization header value, or a name in
 * `tokens` (filled in later, e.g. in a `before`). The body comes back parsed (undefined when
 * empty). `server` is read at call time, so it may be assigned after this is made.
 */
export function callAs(server: () => TestServer, tokens: Record<string, string> = {}) {
  return async (path: string, authorization: string, init: RequestInit = {}) => {
    const res = await server().fetch(path, {
      ...init,
      headers: {
        accept: 'application/fhir+json',
        ...(init.body ? { 'content-type': 'application/fhir+json' } : {}),
        ...(init.headers as Record<string, string> | undefined),
        authorization: tokens[authorization] ?? authorization,
      },
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
  };
}
