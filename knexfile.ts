/**
 * For the knex CLI (`npm run knex -- migrate:status`). The server and
 * `npm run migrate` do not need it: they build the same configuration in
 * server/fhir/storage/database.ts. Uses DATABASE_URL, else the PGlite data directory.
 */
import type { Knex } from 'knex';
import ClientPGLite from 'knex-pglite';
import { loadConfig } from './server/config.ts';
import { migrationSource } from './server/fhir/storage/migrations/index.ts';

const config = loadConfig();

const knexConfig: Knex.Config = config.databaseUrl
  ? { client: 'pg', connection: config.databaseUrl, migrations: { migrationSource } }
  : {
      client: ClientPGLite as unknown as Knex.Config['client'],
      connection: { connectionString: config.pgliteDataDir } as Knex.Config['connection'],
      migrations: { migrationSource },
    };

export default knexConfig;
