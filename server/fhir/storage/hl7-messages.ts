import type { Knex } from 'knex';

/** One HL7 v2 message as kept in the log (migration 014). */
export interface Hl7MessageRecord {
  direction: 'in' | 'out';
  /** `MSH-3^MSH-4` of the sender. */
  sender: string;
  controlId: string;
  messageType: string;
  status: 'applied' | 'rejected' | 'error';
  raw: Buffer;
  ack?: string;
  error?: string;
  /** `Type/id` of each resource the message created or changed. */
  resources?: string[];
}

/** The HL7 v2 message log: what came in, what it did, and the ACK it got. */
export class Hl7Messages {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  /** The ACK given when this message was applied, if it was: a resend gets it again. */
  async appliedAck(sender: string, controlId: string): Promise<string | undefined> {
    const row = (await this.db('hl7_message')
      .where({ direction: 'in', sender, control_id: controlId, status: 'applied' })
      .first('ack')) as { ack: string | null } | undefined;
    return row ? (row.ack ?? '') : undefined;
  }

  /** Records a message; false when the same message was recorded as applied meanwhile. */
  async record(r: Hl7MessageRecord): Promise<boolean> {
    const inserted = (await this.db.raw(
      `insert into hl7_message (direction, sender, control_id, message_type, status, raw, ack, error, resources)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
       on conflict (direction, sender, control_id) where status = 'applied' do nothing
       returning id`,
      [
        r.direction,
        r.sender,
        r.controlId,
        r.messageType,
        r.status,
        r.raw,
        r.ack ?? null,
        r.error ?? null,
        JSON.stringify(r.resources ?? []),
      ],
    )) as { rows: unknown[] };
    return inserted.rows.length > 0;
  }

  /** Deletes messages received more than `days` ago (they hold patient data); answers how many. */
  async purgeOlderThan(days: number): Promise<number> {
    return (await this.db('hl7_message')
      .where('received_at', '<', this.db.raw(`now() - make_interval(days => ?)`, [days]))
      .delete()) as number;
  }

  /** How many messages of each status a direction has, for the logs. */
  async counts(): Promise<Record<string, number>> {
    const rows = (await this.db('hl7_message')
      .select('direction', 'status')
      .count<{ direction: string; status: string; count: string | number }[]>('* as count')
      .groupBy('direction', 'status')) as { direction: string; status: string; count: string | number }[];
    return Object.fromEntries(rows.map((r) => [`${r.direction}:${r.status}`, Number(r.count)]));
  }
}
