import type { Knex } from 'knex';

/**
 * The GP practice's patient portal accounts (server/domain/practice, seed 004), beside their
 * Person resources: registrations by e-mail waiting for their confirmation link (the token and
 * the chosen password kept only as hashes; several per address may wait, the first confirmed
 * wins), when the owner of an address was last told of an attempt, and the session codes of
 * e-mail accounts (one live code per account, bound to the login session that asked for it and
 * to one service, stored as a hash), the requests for them (counted for the rate limit) and the
 * services each login session opened. Times are the server's clock (settable in tests).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table portal_registration (
      token_hash text primary key,
      email text not null,
      password_hash text not null,
      organization_id text not null,
      name text,
      created_at timestamptz not null,
      expires_at timestamptz not null
    )`);
  await knex.raw(`create index portal_registration_email on portal_registration (email)`);
  await knex.raw(`
    create table portal_notice (
      email text primary key,
      sent_at timestamptz not null
    )`);
  await knex.raw(`
    create table portal_session_code (
      person text primary key,
      session text not null,
      service text not null,
      code_hash text not null,
      expires_at timestamptz not null,
      attempts integer not null default 0
    )`);
  await knex.raw(`
    create table portal_code_request (
      person text not null,
      requested_at timestamptz not null
    )`);
  await knex.raw(`create index portal_code_request_person on portal_code_request (person, requested_at)`);
  await knex.raw(`
    create table portal_open_service (
      person text not null,
      session text not null,
      service text not null,
      open_until timestamptz not null,
      primary key (person, session, service)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table portal_open_service');
  await knex.raw('drop table portal_code_request');
  await knex.raw('drop table portal_session_code');
  await knex.raw('drop table portal_notice');
  await knex.raw('drop table portal_registration');
}
