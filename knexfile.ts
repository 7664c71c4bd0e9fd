/**
 * For the knex CLI (`npm run knex -- migrate:status`). The server and
 * `npm run migrate` do not need it: they build the same configuration in
 * server/fhir/storage/database.ts. Uses DATABASE_URL, else the PGlite data directory.
 */
import { mkdirSync } from 'node:fs';
import type { Knex } from 'knex';
import ClientPGLite from 'knex-pglite';
import { loadConfig } from './server/config.ts';
import { acquirePgliteLock } from './server/fhir/storage/pglite-lock.ts';
import { migrationSource } from './server/fhir/storage/migrations/index.ts';

const config = loadConfig();
// One process per PGlite directory: refused while a server holds it; released when the CLI exits.
if (!config.databaseUrl && !config.pgliteDataDir.startsWith('memory://')) {
  mkdirSync(config.pgliteDataDir, { recursive: true });
  acquirePgliteLock(config.pgliteDataDir, 'npm run knex');
}

const knexConfig: Knex.Config = config.databaseUrl
  ? { client: 'pg', connection: config.databaseUrl, migrations: { migrationSource } }
  : {
      client: ClientPGLite as unknown as Knex.Config['client'],
      connection: { connectionString: config.pgliteDataDir } as Knex.Config['connection'],
      migrations: { migrationSource },
    };

export default knexConfig;
