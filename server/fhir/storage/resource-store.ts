import type { Knex } from 'knex';
import type { IndexedResource } from '../search/types.ts';
import { insertEmergencyGrant, type EmergencyGrant } from './access-facts.ts';
import { CollectiveRecords } from './collective-records.ts';
import { FunctionInvitations } from './function-invitations.ts';
import { Hl7Messages } from './hl7-messages.ts';
import { Hl7Outbox } from './hl7-outbox.ts';
import { MedicationReminders } from './medication-reminders.ts';
import { jobDatabase, type JobDatabase } from './job-queue.ts';
import { PortalRecords } from './portal-records.ts';
import { deleteIndexRows, indexInserts, insertIndexRows } from './search-index-writer.ts';
import { ConcurrentWriteError } from './errors.ts';
import { SearchQueries } from './search-queries.ts';
import { stampAndSerialize } from './serialize.ts';
import type { HistoryEntry, HistoryQuery, NewVersion, Resource, StoredVersion } from './types.ts';

const INSERT_CHUNK = 500;
const TRANSIENT_RETRIES = 4;

/** Deadlock detected / serialization failure: safe to retry the whole transaction. */
export function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

interface ResourceRow {
  rid: string | number;
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date;
  deleted: boolean;
  content: string | null;
}

interface VersionRow extends Omit<ResourceRow, 'deleted'> {
  vid: string | number | bigint;
  method: HistoryEntry['method'];
}

function toStored(row: ResourceRow): StoredVersion {
  return {
    resourceType: row.resource_type,
    id: row.id,
    versionId: row.version_id,
    lastUpdated: new Date(row.last_updated),
    deleted: row.deleted,
    content: row.content ?? undefined,
  };
}

function toHistory(row: VersionRow): HistoryEntry {
  return {
    resourceType: row.resource_type,
    id: row.id,
    versionId: row.version_id,
    lastUpdated: new Date(row.last_updated),
    deleted: row.method === 'DELETE',
    content: row.content ?? undefined,
    method: row.method,
    vid: String(row.vid),
  };
}

/** A write that has been stamped and stored. */
export interface WrittenVersion {
  stored: StoredVersion;
  resource?: Resource;
}

/**
 * Versioned resource storage. Every method runs on the knex handle it was made with, so the
 * same store works inside a transaction (see `transaction`) — the REST interactions never
 * know whether they are part of a Bundle.
 */
/** Computes a resource's search index rows; the store writes them with the resource. */
export type IndexResource = (resource: Resource) => IndexedResource;

export class ResourceStore {
  constructor(
    protected readonly db: Knex | Knex.Transaction,
    protected readonly indexer: IndexResource,
  ) {}

  /** Search statements on the same handle, so a Bundle's searches see its own writes. */
  get search(): SearchQueries {
    return new SearchQueries(this.db);
  }

  get inTransaction(): boolean {
    return 'isTransaction' in this.db && this.db.isTransaction === true;
  }

  /**
   * Runs `fn` in a database transaction (or in the current one). Deadlocks and serialisation
   * failures are retried a few times with the whole unit of work; `fn` must therefore not
   * mutate its inputs.
   */
  async transaction<T>(fn: (store: ResourceStore) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    for (let attempt = 1; ; attempt++) {
      try {
        return await (this.db as Knex).transaction((trx) => fn(new ResourceStore(trx, this.indexer)));
      } catch (err) {
        if (!isTransient(err) || attempt >= TRANSIENT_RETRIES) throw err;
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
      }
    }
  }

  async read(resourceType: string, id: string): Promise<StoredVersion | undefined> {
    const row = await this.db<ResourceRow>('resource')
      .select('rid', 'resource_type', 'id', 'version_id', 'last_updated', 'deleted', 'content')
      .where({ resource_type: resourceType, id })
      .first();
    return row ? toStored(row) : undefined;
  }

  /** This connection or transaction as the job queue's database: a job enqueued here commits with it. */
  get jobs(): JobDatabase {
    return jobDatabase(this.db);
  }

  /** The care collectives' activation codes and invitations (in the surrounding transaction). */
  get collective(): CollectiveRecords {
    return new CollectiveRecords(this.db);
  }

  /** Invitations of colleagues to an organisation's functions (server/domain/referral). */
  get functionInvitations(): FunctionInvitations {
    return new FunctionInvitations(this.db);
  }

  /** Reminders sent that a medication runs out (server/domain/practice). */
  get medicationReminders(): MedicationReminders {
    return new MedicationReminders(this.db);
  }

  /** The patient portal's accounts beside their Person resources (server/domain/practice). */
  get portal(): PortalRecords {
    return new PortalRecords(this.db);
  }

  /** The HL7 v2 message log (server/hl7v2). */
  get hl7(): Hl7Messages {
    return new Hl7Messages(this.db);
  }

  /** Outbound HL7 v2 messages waiting for their destination (server/hl7v2/outbox.ts). */
  get hl7Outbox(): Hl7Outbox {
    return new Hl7Outbox(this.db);
  }

  /** Records a break-the-glass grant (in the surrounding transaction, with its audit). */
  async openEmergency(grant: EmergencyGrant): Promise<void> {
    await insertEmergencyGrant(this.db, grant);
  }

  /** Reads and row-locks the current version until the surrounding transaction ends. */
  async readForUpdate(resourceType: string, id: string): Promise<StoredVersion | undefined> {
    const row = await this.db<ResourceRow>('resource')
      .select('rid', 'resource_type', 'id', 'version_id', 'last_updated', 'deleted', 'content')
      .where({ resource_type: resourceType, id })
      .forUpdate()
      .first();
    return row ? toStored(row) : undefined;
  }

  /**
   * Row-locks existing resources in one fixed order. Transactions that lock what they will
   * write up front, in this order, cannot deadlock each other on those rows.
   */
  async lockInOrder(keys: { resourceType: string; id: string }[]): Promise<void> {
    if (keys.length === 0) return;
    const sorted = [...new Map(keys.map((k) => [`${k.resourceType}/${k.id}`, k])).values()].sort((a, b) =>
      a.resourceType === b.resourceType ? (a.id < b.id ? -1 : 1) : a.resourceType < b.resourceType ? -1 : 1,
    );
    await this.db('resource')
      .select('rid')
      .whereIn(
        ['resource_type', 'id'],
        sorted.map((k) => [k.resourceType, k.id]),
      )
      .orderBy(['resource_type', 'id'])
      .forUpdate();
  }

  async readVersion(resourceType: string, id: string, versionId: number): Promise<HistoryEntry | undefined> {
    const row = await this.db<VersionRow>('resource_version')
      .select('vid', 'rid', 'resource_type', 'id', 'version_id', 'last_updated', 'method', 'content')
      .where({ resource_type: resourceType, id, version_id: versionId })
      .first();
    return row ? toHistory(row) : undefined;
  }

  /**
   * Several advisory locks in one statement, taken in the order given (for a transaction's
   * conditional entries: one round trip instead of one per key).
   */
  async lockAll(locks: { key: string; shared: boolean }[]): Promise<void> {
    if (!locks.length) return;
    await this.db.raw(
      `select case when (l->>1)::boolean then pg_advisory_xact_lock_shared(hashtextextended(l->>0, 0))
                   else pg_advisory_xact_lock(hashtextextended(l->>0, 0)) end
         from json_array_elements(?::json) as l`,
      [JSON.stringify(locks.map((l) => [l.key, l.shared]))],
    );
  }

  /**
   * Serialises writers that must not race (conditional creates with the same criteria)
   * for the rest of the current transaction.
   */
  async lock(key: string, shared = false): Promise<void> {
    const fn = shared ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
    await this.db.raw(`select ${fn}(hashtextextended(?, 0))`, [key]);
  }

  /**
   * Appends AuditEvents (each with its id) to the access log's intake (migration 008): in the
   * surrounding transaction, or as one auto-committed statement. What every request pays for
   * its log; the projector makes them searchable (projectAuditLog).
   */
  async appendAuditLog(events: Resource[]): Promise<void> {
    if (!events.length) return;
    await this.db.raw(`insert into audit_log (content) select value from json_array_elements_text(?::json)`, [
      JSON.stringify(events.map((e) => JSON.stringify(e))),
    ]);
  }

  /** The newest row of the log's intake, or undefined when everything is projected. */
  async auditLogHead(): Promise<string | undefined> {
    const { rows } = (await this.db.raw(`select max(seq)::text as head from audit_log`)) as {
      rows: { head: string | null }[];
    };
    return rows[0]?.head ?? undefined;
  }

  /**
   * Moves up to `limit` of the log's intake rows (those up to `upTo`) into the resource tables
   * as AuditEvents, in one transaction, so an event is in exactly one of the two. One projector
   * at a time across nodes: `wait` waits for one busy elsewhere, else this one skips (0).
   */
  async projectAuditLog(limit: number, options: { wait: boolean; upTo?: string }): Promise<number> {
    return this.transaction(async (tx) => {
      const lock = options.wait ? 'pg_advisory_xact_lock' : 'pg_try_advisory_xact_lock';
      const { rows: locked } = (await tx.db.raw(
        `select ${lock}(hashtextextended('zorgpoort:audit-projector', 0))::text as ok`,
      )) as { rows: { ok: string }[] };
      if (locked[0]?.ok === 'false') return 0;
      const { rows } = (await tx.db.raw(
        `delete from audit_log
          where seq in (select seq from audit_log where seq <= coalesce(?::bigint, seq) order by seq limit ?)
          returning seq, content`,
        [options.upTo ?? null, limit],
      )) as { rows: { seq: string; content: string }[] };
      if (!rows.length) return 0;
      rows.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
      await tx.insertNew(
        rows.map((r) => {
          const resource = JSON.parse(r.content) as Resource;
          return { resourceType: 'AuditEvent', id: String(resource.id), resource };
        }),
      );
      return rows.length;
    });
  }

  /**
   * Inserts brand-new resources (version 1) in multi-row statements. Fails with a unique
   * violation if an id is taken; callers that allow that use `write` instead.
   */
  async insertNew(
    /** `method`: what history says made it (a conditional update that creates is a PUT); POST by default. */
    items: { resourceType: string; id: string; resource: Resource; method?: 'POST' | 'PUT' }[],
  ): Promise<WrittenVersion[]> {
    const now = new Date();
    const written: WrittenVersion[] = [];
    for (let i = 0; i < items.length; i += INSERT_CHUNK) {
      const chunk = items.slice(i, i + INSERT_CHUNK);
      const stamped = chunk.map((it) => ({ it, ...stampAndSerialize(it.resource, it.id, 1, now) }));
      // One statement writes the resources, their versions and their index rows, and sends each
      // content once: one round trip, atomic on its own (so a lone write needs no BEGIN/COMMIT).
      // RETURNING order is not guaranteed to follow input order, so rows are matched by key.
      const input = JSON.stringify(
        stamped.map(({ it, text }) => [it.resourceType, it.id, text, it.method ?? 'POST']),
      );
      const index = indexInserts(
        stamped.map(({ resource }, ord) => ({ key: ord, indexed: this.indexer(resource) })),
        { cte: 'ord', key: 'ord' },
      );
      await this.db.raw(
        `with input as (
           select x->>0 as resource_type, x->>1 as id, x->>2 as content, x->>3 as method, (n - 1)::int as ord
             from json_array_elements(?::json) with ordinality as t(x, n)
         ), ins as (
           insert into resource (resource_type, id, version_id, last_updated, deleted, content)
           select resource_type, id, 1, ?, false, content from input
           returning rid, resource_type, id
         ), ver as (
           insert into resource_version (rid, resource_type, id, version_id, last_updated, method, content)
           select ins.rid, ins.resource_type, ins.id, 1, ?, input.method, input.content
           from ins join input using (resource_type, id)
         ), ord as (
           select ins.rid, input.ord from ins join input using (resource_type, id)
         )${index.statements.map((sql, n) => `, i${n} as (${sql})`).join('')}
         select count(*) from ins`,
        [input, now, now, ...index.bindings],
      );
      for (const { it, text, resource } of stamped) {
        written.push({
          stored: {
            resourceType: it.resourceType,
            id: it.id,
            versionId: 1,
            lastUpdated: now,
            deleted: false,
            content: text,
          },
          resource,
        });
      }
    }
    return written;
  }

  /**
   * Writes the next version of a resource whose current row the caller has locked (or knows
   * to be absent). Deletions store a tombstone without content.
   */
  async write(change: NewVersion, current: StoredVersion | undefined): Promise<WrittenVersion> {
    const now = new Date();
    const versionId = (current?.versionId ?? 0) + 1;
    const stamped = change.resource
      ? stampAndSerialize(change.resource, change.id, versionId, now)
      : undefined;
    const row = {
      resource_type: change.resourceType,
      id: change.id,
      version_id: versionId,
      last_updated: now,
      deleted: !stamped,
      content: stamped?.text ?? null,
    };
    let rid: string;
    if (current) {
      const updated = await this.db('resource')
        .update(row)
        .where({ resource_type: change.resourceType, id: change.id, version_id: current.versionId })
        .returning(['rid']);
      if (updated.length !== 1) throw new ConcurrentWriteError(change.resourceType, change.id);
      rid = (updated[0] as { rid: string }).rid;
    } else {
      const inserted = await this.db('resource')
        .insert(row)
        .onConflict(['resource_type', 'id'])
        .ignore()
        .returning(['rid']);
      if (inserted.length !== 1) throw new ConcurrentWriteError(change.resourceType, change.id);
      rid = (inserted[0] as { rid: string }).rid;
    }
    if (current) await deleteIndexRows(this.db, [rid]);
    if (stamped) await insertIndexRows(this.db, [{ rid, indexed: this.indexer(stamped.resource) }]);
    await this.db('resource_version').insert({
      rid,
      resource_type: change.resourceType,
      id: change.id,
      version_id: versionId,
      last_updated: now,
      method: change.method,
      content: stamped?.text ?? null,
    });
    return {
      stored: {
        resourceType: change.resourceType,
        id: change.id,
        versionId,
        lastUpdated: now,
        deleted: !stamped,
        content: stamped?.text,
      },
      resource: stamped?.resource,
    };
  }

  async history(query: HistoryQuery): Promise<HistoryEntry[]> {
    const q = this.db<VersionRow>('resource_version as v')
      .select(
        'v.vid',
        'v.rid',
        'v.resource_type',
        'v.id',
        'v.version_id',
        'v.last_updated',
        'v.method',
        'v.content',
      )
      .orderBy('v.vid', 'desc')
      .limit(query.count);
    if (query.resourceType) q.where('v.resource_type', query.resourceType);
    if (query.id) q.where('v.id', query.id);
    if (query.since) q.where('v.last_updated', '>=', query.since);
    if (query.beforeVid) q.where('v.vid', '<', query.beforeVid);
    if (query.excludeTypes?.length) q.whereNotIn('v.resource_type', query.excludeTypes);
    if (query.at) {
      // The version current at `at`: written at or before it, and not yet superseded then.
      q.where('v.last_updated', '<=', query.at).whereNotExists(
        this.db('resource_version as n')
          .select(this.db.raw('1'))
          .whereRaw('n.rid = v.rid and n.version_id > v.version_id')
          .where('n.last_updated', '<=', query.at),
      );
    }
    const rows = await q;
    return rows.map(toHistory);
  }

  async countVersions(resourceType: string, id: string): Promise<number> {
    const row = await this.db('resource_version')
      .count<{ count: string | number }[]>({ count: '*' })
      .where({ resource_type: resourceType, id });
    return Number(row[0]?.count ?? 0);
  }

  /**
   * Recomputes the index rows of up to `limit` live resources after `afterRid`, in rid order,
   * in one transaction. Returns the last rid done (the next call's `afterRid`), or undefined
   * when there is nothing left.
   */
  /** Live (not deleted) resources, of one type or all: the total a re-index works through. */
  async countLive(resourceType?: string): Promise<number> {
    const q = this.db('resource').where('deleted', false).count<{ n: string | number }[]>({ n: '*' });
    if (resourceType) q.andWhere('resource_type', resourceType);
    const [row] = await q;
    return Number(row?.n ?? 0);
  }

  /** Re-indexes the next `limit` live resources after `afterRid`; undefined when none are left. */
  async reindexBatch(
    afterRid: string,
    limit: number,
    resourceType?: string,
  ): Promise<{ lastRid: string; count: number } | undefined> {
    return this.transaction(async (store) => {
      const q = store
        .db('resource')
        .select('rid', 'content')
        .where('rid', '>', afterRid)
        .andWhere('deleted', false)
        .orderBy('rid')
        .limit(limit)
        .forUpdate();
      if (resourceType) q.andWhere('resource_type', resourceType);
      const rows = (await q) as { rid: string | number; content: string }[];
      if (rows.length === 0) return undefined;
      const rids = rows.map((r) => String(r.rid));
      await deleteIndexRows(store.db, rids);
      await insertIndexRows(
        store.db,
        rows.map((r) => ({ rid: r.rid, indexed: store.indexer(JSON.parse(r.content) as Resource) })),
      );
      return { lastRid: rids.at(-1)!, count: rids.length };
    });
  }
}

export { ConcurrentWriteError };
