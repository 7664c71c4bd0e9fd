import type { Knex } from 'knex';

/**
 * `resource` holds the current version of every resource (including tombstones of deleted
 * ones); `resource_version` holds every version ever written. `rid` is the surrogate key that
 * search-index and patient-compartment tables join on, so a search, its access filter and its
 * paging run as one SQL statement. Content is stored as text: what was written is exactly what
 * is served, with the key order we chose, and reads need no jsonb → text conversion.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table resource (
      rid bigserial primary key,
      resource_type text not null,
      id text not null,
      version_id integer not null,
      last_updated timestamptz not null,
      deleted boolean not null default false,
      content text,
      constraint resource_type_id unique (resource_type, id)
    )`);
  await knex.raw(`create index resource_last_updated on resource (last_updated)`);
  await knex.raw(`
    create table resource_version (
      vid bigserial primary key,
      rid bigint not null references resource (rid),
      resource_type text not null,
      id text not null,
      version_id integer not null,
      last_updated timestamptz not null,
      method text not null,
      content text,
      constraint resource_version_type_id_version unique (resource_type, id, version_id)
    )`);
  await knex.raw(`create index resource_version_type_vid on resource_version (resource_type, vid)`);
  await knex.raw(`create index resource_version_last_updated on resource_version (last_updated)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table resource_version');
  await knex.raw('drop table resource');
}
