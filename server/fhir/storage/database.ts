import knexFactory, { type Knex } from 'knex';
import ClientPGLite from 'knex-pglite';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { migrationSource } from './migrations/index.ts';
import { acquirePgliteLock, type PgliteLock } from './pglite-lock.ts';
import { startAutoAnalyze } from './pglite-analyze.ts';

export interface DatabaseOptions {
  databaseUrl?: string;
  pgliteDataDir: string;
  poolMax?: number;
  /** Who opens a PGlite directory (`server`, or the CLI command): named in the lock. */
  role?: string;
}

export interface Database {
  knex: Knex;
  kind: 'postgres' | 'pglite';
  /** The PGlite directory's lock (not for Postgres or `memory://`). */
  lock?: PgliteLock;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createDatabase(options: DatabaseOptions): Database {
  const kind = options.databaseUrl ? 'postgres' : 'pglite';
  let knex: Knex;
  let lock: PgliteLock | undefined;
  if (options.databaseUrl) {
    knex = knexFactory({
      client: 'pg',
      connection: options.databaseUrl,
      pool: {
        min: 0,
        max: options.poolMax ?? 10,
        // The planner's default assumes random reads cost 4× sequential ones (spinning disks);
        // the index and resource pages of a FHIR server are cached or on SSD, where 1.1 is the
        // usual figure. With the default, a common code with _sort seq-scans `resource`.
        afterCreate: (
          conn: { query: (sql: string, cb: (err?: Error) => void) => void },
          done: (err: Error | undefined, conn: unknown) => void,
        ) => {
          conn.query('set random_page_cost = 1.1', (err) => done(err, conn));
        },
      },
    });
  } else {
    const dir = options.pgliteDataDir;
    if (!dir.startsWith('memory://')) {
      // Patient data: PGlite writes its files world-readable, so the directory keeps others out.
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (statSync(dir).uid === process.getuid?.()) chmodSync(dir, 0o700);
      lock = acquirePgliteLock(dir, options.role ?? 'the server');
    }
    knex = knexFactory({
      client: ClientPGLite as unknown as typeof knexFactory.Client,
      connection: { connectionString: dir },
    });
  }
  const stopAnalyze = kind === 'pglite' ? startAutoAnalyze(knex, 30_000) : undefined;
  return {
    knex,
    kind,
    ...(lock ? { lock } : {}),
    async migrate() {
      await knex.migrate.latest({ migrationSource });
    },
    async ping() {
      await knex.raw('select 1');
    },
    async close() {
      stopAnalyze?.();
      try {
        await knex.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}
