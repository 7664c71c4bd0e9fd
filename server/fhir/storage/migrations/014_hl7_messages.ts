import type { Knex } from 'knex';

/**
 * The HL7 v2 message log: every message received over MLLP (and, later, sent), raw, with its
 * status, ACK, error and the resources it produced. A sender's control id (MSH-10) is applied
 * once: the unique index finds a resend, which gets the ACK it got before.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table hl7_message (
      id bigserial primary key,
      direction text not null check (direction in ('in', 'out')),
      sender text not null,
      control_id text not null,
      message_type text not null,
      received_at timestamptz not null default now(),
      status text not null check (status in ('applied', 'rejected', 'error')),
      raw bytea not null,
      ack text,
      error text,
      resources jsonb not null default '[]'
    )`);
  await knex.raw(
    `create unique index hl7_message_applied on hl7_message (direction, sender, control_id) where status = 'applied'`,
  );
  await knex.raw(`create index hl7_message_received on hl7_message (received_at)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table hl7_message');
}
