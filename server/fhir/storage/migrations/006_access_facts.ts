import type { Knex } from 'knex';

/**
 * The access gate's facts (treatment relationships, CareTeam memberships, consent rules), kept
 * like the search index: per resource row, replaced in the same transaction as the resource,
 * rebuilt by `npm run reindex` (which an upgrade from an earlier version must run once); the
 * break-the-glass grants; and the flag for a system client trusted with the whole server.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table idx_access (
      rid bigint not null,
      kind text not null,
      patient_id text,
      actor text,
      grp text,
      basis text,
      decision text,
      category text,
      lo bigint,
      hi bigint
    )`);
  await knex.raw(`create index idx_access_rid on idx_access (rid)`);
  await knex.raw(`create index idx_access_actor on idx_access (kind, actor)`);
  await knex.raw(`create index idx_access_patient on idx_access (kind, patient_id)`);
  await knex.raw(`alter table oauth_client add column trusted boolean not null default false`);
  // Break-the-glass grants: one practitioner, one patient, a stated reason, until ends_at.
  await knex.raw(`
    create table access_emergency (
      id text primary key,
      practitioner_id text not null,
      patient_id text not null,
      organization_id text,
      reason text not null,
      started_at bigint not null,
      ends_at bigint not null
    )`);
  await knex.raw(`create index access_emergency_practitioner on access_emergency (practitioner_id, ends_at)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table access_emergency');
  await knex.raw('alter table oauth_client drop column trusted');
  await knex.raw('drop table idx_access');
}
