import type { Knex } from 'knex';

/**
 * Outbound HL7 v2 messages wait in the message log itself (direction `out`, status `queued`)
 * until their destination acknowledges them: the log is the durable outbox, so a message exists
 * from the commit that queues it, survives a receiver that is down and a restart of ours, and
 * stays visible with every attempt. Per destination only the oldest queued message is taken
 * (HL7 v2 receivers apply in arrival order); a lease makes one node send it at a time. An
 * integration admin may cancel one that can never be delivered (`cancelled`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table hl7_message drop constraint hl7_message_status_check`);
  await knex.raw(`
    alter table hl7_message
      add constraint hl7_message_status_check
        check (status in ('applied', 'rejected', 'error', 'queued', 'sent', 'cancelled')),
      add column destination text,
      add column attempts integer not null default 0,
      add column next_attempt_at timestamptz,
      add column lease_until timestamptz,
      add column sent_at timestamptz,
      add column requested_by text`);
  await knex.raw(
    `create index hl7_message_outbox on hl7_message (destination, id) where direction = 'out' and status = 'queued'`,
  );
  await knex.raw(`create index hl7_message_status on hl7_message (direction, status, received_at)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index hl7_message_status`);
  await knex.raw(`drop index hl7_message_outbox`);
  await knex.raw(`delete from hl7_message where status in ('queued', 'sent', 'cancelled')`);
  await knex.raw(`
    alter table hl7_message
      drop column destination, drop column attempts, drop column next_attempt_at,
      drop column lease_until, drop column sent_at, drop column requested_by`);
  await knex.raw(`alter table hl7_message drop constraint hl7_message_status_check`);
  await knex.raw(
    `alter table hl7_message add constraint hl7_message_status_check check (status in ('applied', 'rejected', 'error'))`,
  );
}
