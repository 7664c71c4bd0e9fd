import type { Knex } from 'knex';

/**
 * Invitations of colleagues to an organisation's functions (server/domain/referral, seed 003
 * "Ik wil collega's uitnodigen"): kept outside the FHIR resources because the link's token is a
 * secret (only its SHA-256 is stored) and the invitee has no account yet. Times are the
 * server's clock (settable in tests), not the database's, so an invitation's 7 days can be
 * tested. A resend replaces the token and the expiry: the old link stops working.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table function_invitation (
      id text primary key,
      organization_id text not null,
      email text not null,
      functions jsonb not null,
      clusters jsonb not null,
      invited_by text not null,
      token_hash text not null unique,
      created_at timestamptz not null,
      sent_at timestamptz not null,
      expires_at timestamptz not null,
      accepted_at timestamptz,
      accepted_by text
    )`);
  await knex.raw(
    `create index function_invitation_organization on function_invitation (organization_id, created_at)`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table function_invitation');
}
