import type { Knex } from 'knex';

/**
 * Search index: one narrow table per value kind, keyed on the resource's `rid`, with the
 * parameter key (`Observation.code`) leading every index so each parameter type has an index
 * path (see server/fhir/search/README.md). Rows are rewritten with every version of the
 * resource, in the same transaction. There are no foreign keys: the store deletes index rows
 * itself, and bulk ingest should not pay for per-row checks.
 */
const TABLES: Record<string, string> = {
  idx_string: 'norm text not null, exact text not null',
  idx_token: 'system text, code text, text text, type_system text, type_code text',
  idx_date: 'lo bigint not null, hi bigint not null',
  idx_number: 'value numeric not null',
  idx_quantity: 'value numeric not null, system text, code text, unit text',
  idx_reference:
    'target_type text, target_id text, url text, version text, ident_system text, ident_value text',
  idx_uri: 'uri text not null',
};

export async function up(knex: Knex): Promise<void> {
  for (const [table, columns] of Object.entries(TABLES)) {
    await knex.raw(
      `create table ${table} (rid bigint not null, param text not null, grp integer, ${columns})`,
    );
    await knex.raw(`create index ${table}_rid on ${table} (rid)`);
  }
  // Prefix and exact string search; long values are indexed by their first 100 characters.
  await knex.raw(`create index idx_string_norm on idx_string (param, left(norm, 100) text_pattern_ops)`);
  await knex.raw(`create index idx_token_code on idx_token (param, code, system)`);
  await knex.raw(`create index idx_token_system on idx_token (param, system)`);
  await knex.raw(`create index idx_date_lo on idx_date (param, lo)`);
  await knex.raw(`create index idx_date_hi on idx_date (param, hi)`);
  await knex.raw(`create index idx_number_value on idx_number (param, value)`);
  await knex.raw(`create index idx_quantity_code_value on idx_quantity (param, code, value)`);
  await knex.raw(`create index idx_quantity_value on idx_quantity (param, value)`);
  await knex.raw(`create index idx_reference_target on idx_reference (param, target_id, target_type)`);
  await knex.raw(`create index idx_reference_url on idx_reference (param, url) where url is not null`);
  await knex.raw(
    `create index idx_reference_ident on idx_reference (param, ident_value) where ident_value is not null`,
  );
  await knex.raw(`create index idx_uri_uri on idx_uri (param, uri text_pattern_ops)`);

  await knex.raw(
    `create table idx_compartment (rid bigint not null, compartment_type text not null, compartment_id text not null)`,
  );
  await knex.raw(`create index idx_compartment_member on idx_compartment (compartment_type, compartment_id)`);
  await knex.raw(`create index idx_compartment_rid on idx_compartment (rid)`);

  // Type-level searches without other criteria, `_lastUpdated` and the default (rid) order.
  await knex.raw(`create index resource_type_rid on resource (resource_type, rid) where not deleted`);
  await knex.raw(
    `create index resource_type_last_updated on resource (resource_type, last_updated) where not deleted`,
  );
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [...Object.keys(TABLES), 'idx_compartment']) await knex.raw(`drop table ${table}`);
  await knex.raw('drop index resource_type_rid');
  await knex.raw('drop index resource_type_last_updated');
}
