import type { Knex } from 'knex';

/**
 * The order in which registrations of an address were made (server/domain/practice): a new one
 * replaces the oldest still waiting once `PRACTICE_PENDING_PER_ADDRESS` wait, so strangers'
 * registrations cannot keep the address's owner from getting a link. `created_at` is the
 * server's clock, which two registrations may share; this sequence never is.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table portal_registration add column seq bigserial`);
  await knex.raw(`create index portal_registration_email_seq on portal_registration (email, seq)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index portal_registration_email_seq`);
  await knex.raw(`alter table portal_registration drop column seq`);
}
