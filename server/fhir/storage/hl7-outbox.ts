import type { Knex } from 'knex';

/** An outbound message as the sender takes it from the outbox. */
export interface OutboxMessage {
  id: string;
  destination: string;
  controlId: string;
  messageType: string;
  raw: Buffer;
  /** This attempt's number (1 for the first). */
  attempt: number;
}

export interface QueuedMessage {
  destination: string;
  /** Our application (MSH-3) as the log's sender column: the same column for both directions. */
  sender: string;
  controlId: string;
  messageType: string;
  raw: Buffer;
  /** `Type/id` of the resources the message was made from. */
  resources: string[];
  /** Who asked for it (a principal's reference), for the log. */
  requestedBy?: string;
}

/**
 * The outbox of HL7 v2 messages: rows of the message log with direction `out` (migration 015).
 * A destination's messages leave one at a time, oldest first; a message being sent is leased,
 * so another node takes it only when the lease ran out (the sender died mid-send).
 */
export class Hl7Outbox {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  /** Queues a message (in the caller's transaction: it exists exactly when the change does). */
  async enqueue(m: QueuedMessage): Promise<string> {
    const rows = (await this.db.raw(
      `insert into hl7_message (direction, sender, control_id, message_type, status, raw, resources,
                                destination, next_attempt_at, requested_by)
       values ('out', ?, ?, ?, 'queued', ?, ?::jsonb, ?, now(), ?)
       returning id`,
      [
        m.sender,
        m.controlId,
        m.messageType,
        m.raw,
        JSON.stringify(m.resources),
        m.destination,
        m.requestedBy ?? null,
      ],
    )) as { rows: { id: string | number }[] };
    return String(rows.rows[0]!.id);
  }

  /**
   * Leases the next message that is due: the oldest queued one of its destination, not leased
   * by another sender, whose retry time has come. Undefined when none is due.
   */
  async claim(leaseSeconds: number): Promise<OutboxMessage | undefined> {
    const result = (await this.db.raw(
      `update hl7_message m
          set lease_until = now() + make_interval(secs => ?), attempts = m.attempts + 1
        where m.id = (
          select h.id from hl7_message h
           where h.direction = 'out' and h.status = 'queued'
             and h.id = (select min(o.id) from hl7_message o
                          where o.direction = 'out' and o.status = 'queued' and o.destination = h.destination)
             and h.next_attempt_at <= now()
             and (h.lease_until is null or h.lease_until < now())
           order by h.next_attempt_at, h.id
           limit 1
           for update skip locked)
       returning m.id, m.destination, m.control_id, m.message_type, m.raw, m.attempts`,
      [leaseSeconds],
    )) as {
      rows: {
        id: string | number;
        destination: string;
        control_id: string;
        message_type: string;
        raw: Buffer | Uint8Array;
        attempts: number;
      }[];
    };
    const row = result.rows[0];
    if (!row) return undefined;
    return {
      id: String(row.id),
      destination: row.destination,
      controlId: row.control_id,
      messageType: row.message_type,
      raw: Buffer.from(row.raw),
      attempt: row.attempts,
    };
  }

  /** The receiver acknowledged it (AA): done. */
  async sent(id: string, ack: string): Promise<void> {
    await this.db('hl7_message')
      .where({ id })
      .update({ status: 'sent', ack, error: null, lease_until: null, sent_at: this.db.fn.now() });
  }

  /** The receiver refused it (AE/AR): sending it again would get the same answer. */
  async refused(id: string, ack: string, error: string): Promise<void> {
    await this.db('hl7_message').where({ id }).update({ status: 'rejected', ack, error, lease_until: null });
  }

  /** Not delivered this time (down, timeout, a garbled answer): again after `delaySeconds`. */
  async retryLater(id: string, error: string, delaySeconds: number): Promise<void> {
    await this.db('hl7_message')
      .where({ id })
      .update({
        error,
        lease_until: null,
        next_attempt_at: this.db.raw(`now() + make_interval(secs => ?)`, [delaySeconds]),
      });
  }

  /** Puts a refused message back in the queue (after the receiver was fixed); false when it is not refused or not outbound. */
  async requeue(id: string): Promise<boolean> {
    const n = await this.db('hl7_message')
      .where({ id, direction: 'out', status: 'rejected' })
      .update({ status: 'queued', next_attempt_at: this.db.fn.now(), lease_until: null });
    return Number(n) > 0;
  }
}
