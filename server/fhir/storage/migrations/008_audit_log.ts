import type { Knex } from 'knex';

/**
 * The access log's append-only intake. Every request appends its AuditEvents here, durably,
 * before its answer leaves: one narrow row per event, so the write on every request's path
 * costs one small insert instead of a resource, its version and some fifteen search-index rows.
 * The projector (server/audit/audit-projector.ts) moves rows into the resource tables, where
 * AuditEvents are read and searched like any resource; a read of the log first settles what is
 * here, so it never misses an event that was logged before it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table audit_log (seq bigserial primary key, content text not null)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table audit_log');
}
