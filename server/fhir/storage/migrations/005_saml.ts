import type { Knex } from 'knex';

/**
 * SAML login state that must be shared by every server node (DESIGN §6: no one-time ids in
 * memory): the ids of AuthnRequests we sent and still expect an answer to, and the ids of
 * assertions already used, kept until they expire so a captured response cannot be replayed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table saml_request (
      id text primary key,
      idp text not null,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      relay_state text
    )`);
  await knex.raw(`create index saml_request_expires_at on saml_request (expires_at)`);
  await knex.raw(`
    create table saml_assertion (
      idp text not null,
      assertion_id text not null,
      expires_at timestamptz not null,
      primary key (idp, assertion_id)
    )`);
  await knex.raw(`create index saml_assertion_expires_at on saml_assertion (expires_at)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table saml_assertion');
  await knex.raw('drop table saml_request');
}
