import type { Knex } from 'knex';
import { getConstructionPlans, getUninstallPlans } from 'pg-boss';

/**
 * The durable job queue (pg-boss, schema `pgboss`): outgoing mail and other background work,
 * enqueued in the transaction of the change that causes it. pg-boss's own schema SQL, run here
 * so the schema changes only through migrations (the server starts pg-boss with `migrate:
 * false`); a pg-boss upgrade that changes its schema comes with a migration of its
 * getMigrationPlans. Its BEGIN/COMMIT are left out: the migration is the transaction.
 */
const withoutTransaction = (plan: string) => plan.replace(/^\s*(BEGIN|COMMIT);\s*$/gm, '');

type Connection = { exec?: (sql: string) => Promise<unknown>; query: (sql: string) => Promise<unknown> };

/**
 * Runs a script of many statements on the migration's own connection: PGlite's `exec`, or pg's
 * simple query protocol (knex.raw prepares, and a prepared statement holds one command).
 */
async function runScript(knex: Knex, sql: string): Promise<void> {
  const conn = (await knex.client.acquireConnection()) as Connection;
  try {
    await (conn.exec ? conn.exec(sql) : conn.query(sql));
  } finally {
    await knex.client.releaseConnection(conn);
  }
}

export async function up(knex: Knex): Promise<void> {
  await runScript(knex, withoutTransaction(getConstructionPlans('pgboss')));
}

export async function down(knex: Knex): Promise<void> {
  await runScript(knex, withoutTransaction(getUninstallPlans('pgboss')));
}
