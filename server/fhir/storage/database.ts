import knexFactory, { type Knex } from 'knex';
import ClientPGLite from 'knex-pglite';
import { mkdirSync } from 'node:fs';
import { migrationSource } from './migrations/index.ts';

export interface DatabaseOptions {
  databaseUrl?: string;
  pgliteDataDir: string;
  poolMax?: number;
}

export interface Database {
  knex: Knex;
  kind: 'postgres' | 'pglite';
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createDatabase(options: DatabaseOptions): Database {
  const kind = options.databaseUrl ? 'postgres' : 'pglite';
  let knex: Knex;
  if (options.databaseUrl) {
    knex = knexFactory({
      client: 'pg',
      connection: options.databaseUrl,
      pool: { min: 0, max: options.poolMax ?? 10 },
    });
  } else {
    const dir = options.pgliteDataDir;
    if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
    knex = knexFactory({
      client: ClientPGLite as unknown as typeof knexFactory.Client,
      connection: { connectionString: dir },
    });
  }
  return {
    knex,
    kind,
    async migrate() {
      await knex.migrate.latest({ migrationSource });
    },
    async ping() {
      await knex.raw('select 1');
    },
    async close() {
      await knex.destroy();
    },
  };
}
