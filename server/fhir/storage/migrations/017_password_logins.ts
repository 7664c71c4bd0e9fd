import type { Knex } from 'knex';

/**
 * Password logins with a second factor (server/auth/password): one account per person, the
 * login state every node must share (failed attempts, the lock), the one-time code of a login
 * in progress (one per account: a new one replaces the old), and password-reset tokens. Codes
 * and tokens are stored hashed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table password_account (
      person text primary key,
      login text not null unique,
      password_hash text not null,
      mobile text,
      disabled_at timestamptz,
      failed_attempts integer not null default 0,
      locked_until timestamptz,
      created_at timestamptz not null,
      password_changed_at timestamptz not null
    )`);
  await knex.raw(`
    create table password_code (
      person text primary key references password_account (person) on delete cascade,
      interaction text not null,
      code_hash text not null,
      expires_at timestamptz not null,
      attempts integer not null default 0
    )`);
  await knex.raw(`create index password_code_interaction on password_code (interaction)`);
  await knex.raw(`
    create table password_reset (
      token_hash text primary key,
      person text not null references password_account (person) on delete cascade,
      expires_at timestamptz not null
    )`);
  await knex.raw(`create index password_reset_person on password_reset (person)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table password_reset');
  await knex.raw('drop table password_code');
  await knex.raw('drop table password_account');
}
