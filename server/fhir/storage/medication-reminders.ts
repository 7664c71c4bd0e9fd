import type { Knex } from 'knex';

/** A reminder that a supply of medication runs out (migration 021). */
export interface MedicationReminder {
  /** `MedicationDispense/<id>`, or `MedicationRequest/<id>|<runs out>` for a prescription's own end. */
  supply: string;
  medicationRequest: string;
  patient: string;
  runsOut: Date;
  sentAt: Date;
}

/** The reminders sent, in the surrounding transaction when there is one. */
export class MedicationReminders {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  /**
   * Claims the supply's reminder: true for the one caller that records it first, false when it
   * was sent already (a concurrent claim waits for the first one's commit, then finds it).
   */
  async claim(r: MedicationReminder): Promise<boolean> {
    const rows = (await this.db('medication_reminder')
      .insert({
        supply: r.supply,
        medication_request: r.medicationRequest,
        patient: r.patient,
        runs_out: r.runsOut,
        sent_at: r.sentAt,
      })
      .onConflict('supply')
      .ignore()
      .returning('supply')) as unknown[];
    return rows.length > 0;
  }

  /** Whether the supply's reminder was sent. */
  async sent(supply: string): Promise<boolean> {
    return Boolean(await this.db('medication_reminder').where({ supply }).first('supply'));
  }
}
