import type { Knex } from 'knex';
import { PgBoss, fromKnex, type Db as IDatabase } from 'pg-boss';

type Connection = { exec?: (sql: string) => Promise<{ rows?: unknown[] }[]> };

/**
 * A connection or transaction as pg-boss's database. Statements with parameters go through
 * knex. Those without may be scripts of several statements (pg-boss's `BEGIN; …; COMMIT`), which
 * PGlite runs only with `exec` — on the connection knex hands out, so they wait their turn like
 * any query on its single connection. A failed script is rolled back, or the one session would
 * stay in an aborted transaction (pg-boss's own PGlite adapter does the same). PostgreSQL's
 * driver runs scripts as they are.
 */
export function jobDatabase(db: Knex | Knex.Transaction): IDatabase {
  const viaKnex = fromKnex(db);
  // PostgreSQL's driver runs a script as it is; only the embedded database needs `exec`.
  if ((db.client as { config?: { client?: unknown } }).config?.client === 'pg') return viaKnex;
  const inTransaction = 'isTransaction' in db && (db as Knex.Transaction).isTransaction;
  return {
    async executeSql(text, values) {
      if (values?.length) return viaKnex.executeSql(text, values);
      const conn = (await db.client.acquireConnection()) as Connection;
      try {
        if (!conn.exec) throw new Error('the embedded database connection has no exec');
        try {
          const results = await conn.exec(text);
          return { rows: results.flatMap((r) => r.rows ?? []) };
        } catch (err) {
          if (!inTransaction) await conn.exec('ROLLBACK').catch(() => undefined);
          throw err;
        }
      } finally {
        await db.client.releaseConnection(conn);
      }
    },
  };
}

/**
 * The durable job queue: pg-boss on this database (schema `pgboss`, made by migration 012),
 * through the same knex, so it works on PostgreSQL and the embedded PGlite alike. A job is
 * enqueued in the transaction of the change that causes it (`jobDatabase(tx)`), so it exists
 * exactly when the change does, and waits in the database until its worker succeeds.
 */
export function createJobQueue(knex: Knex, kind: 'postgres' | 'pglite'): PgBoss {
  return new PgBoss({
    db: jobDatabase(knex),
    backend: kind,
    schema: 'pgboss',
    migrate: false,
    createSchema: false,
    schedule: false,
  });
}

export type { PgBoss as JobQueue, IDatabase as JobDatabase };
