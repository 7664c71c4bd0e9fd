import type { Knex } from 'knex';

/** An outbound message as the sender takes it from the outbox. */
export interface OutboxMessage {
  id: string;
  destination: string;
  controlId: string;
  messageType: string;
  raw: Buffer;
  /** This attempt's number (1 for the first): the lease, checked when the outcome is written. */
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
 * The same destination's lock key in every statement: enqueueing holds it until commit, so ids
 * of one destination are committed in their order, and a claim skips a destination whose next
 * message may still be committing (a later id must not overtake it).
 */
const DESTINATION_LOCK = `hashtext('hl7-out:' || ?)`;

/**
 * The outbox of HL7 v2 messages: rows of the message log with direction `out` (migration 015).
 * A destination's messages leave one at a time, oldest first; a message being sent is leased,
 * so another node takes it only when the lease ran out (the sender died mid-send).
 */
export class Hl7Outbox {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  /** Queues a message (in the caller's transaction: it exists exactly when the change does). */
  async enqueue(m: QueuedMessage): Promise<string> {
    await this.db.raw(`select pg_advisory_xact_lock(${DESTINATION_LOCK})`, [m.destination]);
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
   * Leases the next message that is due, for one of `destinations` (this node's configured
   * ones): the oldest queued one of its destination, not leased by another sender, whose retry
   * time has come, of a destination nobody is enqueueing to right now. Undefined when none is.
   */
  async claim(destinations: string[], leaseSeconds: number): Promise<OutboxMessage | undefined> {
    if (!destinations.length) return undefined;
    const result = (await this.db.raw(
      `update hl7_message m
          set lease_until = now() + make_interval(secs => ?), attempts = m.attempts + 1
        where m.id = (
          select h.id from hl7_message h
           where h.direction = 'out' and h.status = 'queued'
             and h.destination in (${destinations.map(() => '?').join(', ')})
             and h.id = (select min(o.id) from hl7_message o
                          where o.direction = 'out' and o.status = 'queued' and o.destination = h.destination)
             and h.next_attempt_at <= now()
             and (h.lease_until is null or h.lease_until < now())
             and pg_try_advisory_xact_lock(${DESTINATION_LOCK.replace('?', 'h.destination')})
           order by h.next_attempt_at, h.id
           limit 1
           for update skip locked)
       returning m.id, m.destination, m.control_id, m.message_type, m.raw, m.attempts`,
      [leaseSeconds, ...destinations],
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

  /** Only while this attempt still holds the message: a sender whose lease ran out changes nothing. */
  private held(m: Pick<OutboxMessage, 'id' | 'attempt'>) {
    return this.db('hl7_message').where({ id: m.id, status: 'queued', attempts: m.attempt });
  }

  /** The receiver acknowledged it (AA): done. */
  async sent(m: OutboxMessage, ack: string): Promise<void> {
    await this.held(m).update({
      status: 'sent',
      ack,
      error: null,
      lease_until: null,
      sent_at: this.db.fn.now(),
    });
  }

  /** The receiver refused it (AE/AR): sending it again would get the same answer. */
  async refused(m: OutboxMessage, ack: string, error: string): Promise<void> {
    await this.held(m).update({ status: 'rejected', ack, error, lease_until: null });
  }

  /** Not delivered this time (down, timeout, a garbled answer): again after `delaySeconds`. */
  async retryLater(m: OutboxMessage, error: string, delaySeconds: number): Promise<void> {
    await this.held(m).update({
      error,
      lease_until: null,
      next_attempt_at: this.db.raw(`now() + make_interval(secs => ?)`, [delaySeconds]),
    });
  }

  /**
   * A refused message queued again, after its cause was fixed: as a new message at the end of
   * its destination's queue (a copy, with fresh attempts), so it overtakes nothing queued or
   * being sent. The refused one stays as it was, naming its copy. Undefined when `id` is no
   * refused outbound message.
   */
  async requeue(id: string, requestedBy: string): Promise<{ id: string; resources: string[] } | undefined> {
    const old = (await this.db('hl7_message')
      .where({ id, direction: 'out', status: 'rejected' })
      .forUpdate()
      .first('destination', 'sender', 'control_id', 'message_type', 'raw', 'resources', 'error')) as
      | {
          destination: string;
          sender: string;
          control_id: string;
          message_type: string;
          raw: Buffer | Uint8Array;
          resources: unknown;
          error: string | null;
        }
      | undefined;
    if (!old) return undefined;
    const resources = (
      typeof old.resources === 'string' ? JSON.parse(old.resources) : old.resources
    ) as string[];
    const copy = await this.enqueue({
      destination: old.destination,
      sender: old.sender,
      controlId: old.control_id,
      messageType: old.message_type,
      raw: Buffer.from(old.raw),
      resources,
      requestedBy,
    });
    await this.db('hl7_message')
      .where({ id })
      .update({ error: `${old.error ?? ''} (queued again as message ${copy})`.trim() });
    return { id: copy, resources };
  }

  /**
   * A queued message that will never be delivered, taken out so its destination's next ones go;
   * not while a sender holds it (its outcome decides). False when it is no such message.
   */
  async cancel(id: string, reason: string): Promise<boolean> {
    const n = await this.db('hl7_message')
      .where({ id, direction: 'out', status: 'queued' })
      .andWhere((q) => q.whereNull('lease_until').orWhere('lease_until', '<', this.db.fn.now()))
      .update({ status: 'cancelled', error: reason, lease_until: null });
    return Number(n) > 0;
  }
}
