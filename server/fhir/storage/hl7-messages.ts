import type { Knex } from 'knex';

/** One HL7 v2 message as kept in the log (migration 014). */
export interface Hl7MessageRecord {
  direction: 'in' | 'out';
  /** `MSH-3^MSH-4` of the sender. */
  sender: string;
  controlId: string;
  messageType: string;
  status: 'applied' | 'rejected' | 'error' | 'queued' | 'sent';
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

  /**
   * Deletes messages received more than `days` ago (they hold patient data); answers how many.
   * An outbound message still queued stays: the outbox never drops what it has not delivered;
   * a delivered one counts from its delivery.
   */
  async purgeOlderThan(days: number): Promise<number> {
    return (await this.db('hl7_message')
      .whereRaw(`coalesce(sent_at, received_at) < now() - make_interval(days => ?)`, [days])
      .whereNot('status', 'queued')
      .delete()) as number;
  }

  /** Messages matching `q`, newest first; `before` pages on (an id of the previous page). */
  async search(q: Hl7MessageQuery): Promise<Hl7MessageSummary[]> {
    const query = this.db('hl7_message').select(SUMMARY).orderBy('id', 'desc').limit(q.count);
    if (q.direction) query.where('direction', q.direction);
    if (q.status) query.where('status', q.status);
    if (q.sender) query.where('sender', q.sender);
    if (q.destination) query.where('destination', q.destination);
    if (q.messageType) query.where('message_type', q.messageType);
    if (q.controlId) query.where('control_id', q.controlId);
    if (q.since) query.where('received_at', '>=', q.since);
    if (q.until) query.where('received_at', '<', q.until);
    if (q.resource) query.whereRaw('resources @> ?::jsonb', [JSON.stringify([q.resource])]);
    if (q.before) query.where('id', '<', q.before);
    return ((await query) as SummaryRow[]).map(toSummary);
  }

  /** One message with its raw bytes. */
  async get(id: string): Promise<(Hl7MessageSummary & { raw: Buffer }) | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const row = (await this.db('hl7_message')
      .select([...SUMMARY, 'raw'])
      .where({ id })
      .first()) as (SummaryRow & { raw: Buffer | Uint8Array }) | undefined;
    return row ? { ...toSummary(row), raw: Buffer.from(row.raw) } : undefined;
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

export interface Hl7MessageQuery {
  direction?: 'in' | 'out';
  status?: string;
  sender?: string;
  destination?: string;
  messageType?: string;
  controlId?: string;
  /** Received (or queued) at or after this instant. */
  since?: string;
  until?: string;
  /** `Type/id`: messages that produced or were made from this resource. */
  resource?: string;
  before?: string;
  count: number;
}

/** A message as the log lists it: everything but the raw bytes. */
export interface Hl7MessageSummary {
  id: string;
  direction: 'in' | 'out';
  sender: string;
  destination?: string;
  controlId: string;
  messageType: string;
  status: string;
  receivedAt: string;
  sentAt?: string;
  attempts: number;
  nextAttemptAt?: string;
  ack?: string;
  error?: string;
  resources: string[];
  requestedBy?: string;
}

const SUMMARY = [
  'id',
  'direction',
  'sender',
  'destination',
  'control_id',
  'message_type',
  'status',
  'received_at',
  'sent_at',
  'attempts',
  'next_attempt_at',
  'ack',
  'error',
  'resources',
  'requested_by',
];

type SummaryRow = {
  id: string | number;
  direction: 'in' | 'out';
  sender: string;
  destination: string | null;
  control_id: string;
  message_type: string;
  status: string;
  received_at: Date | string;
  sent_at: Date | string | null;
  attempts: number;
  next_attempt_at: Date | string | null;
  ack: string | null;
  error: string | null;
  resources: unknown;
  requested_by: string | null;
};

const iso = (v: Date | string) => new Date(v).toISOString();

function toSummary(r: SummaryRow): Hl7MessageSummary {
  return {
    id: String(r.id),
    direction: r.direction,
    sender: r.sender,
    ...(r.destination ? { destination: r.destination } : {}),
    controlId: r.control_id,
    messageType: r.message_type,
    status: r.status,
    receivedAt: iso(r.received_at),
    ...(r.sent_at ? { sentAt: iso(r.sent_at) } : {}),
    attempts: r.attempts,
    ...(r.next_attempt_at && r.status === 'queued' ? { nextAttemptAt: iso(r.next_attempt_at) } : {}),
    ...(r.ack ? { ack: r.ack } : {}),
    ...(r.error ? { error: r.error } : {}),
    resources: (typeof r.resources === 'string' ? JSON.parse(r.resources) : r.resources) as string[],
    ...(r.requested_by ? { requestedBy: r.requested_by } : {}),
  };
}
