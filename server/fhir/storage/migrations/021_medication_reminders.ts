import type { Knex } from 'knex';

/**
 * The reminders sent that a medication runs out (server/domain/practice, seed 004 "ontvang
 * herinneringen"): one row per supply — a dispense, or a prescription's own end — so a patient
 * hears once per supply, however often and on however many nodes the reminder job runs (the
 * insert that claims a supply is the one whose mail is queued, in the same transaction).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table medication_reminder (
      supply text primary key,
      medication_request text not null,
      patient text not null,
      runs_out timestamptz not null,
      sent_at timestamptz not null
    )`);
  await knex.raw('create index medication_reminder_sent on medication_reminder (sent_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table medication_reminder');
}
