import type { Knex } from 'knex';
import type { IndexRow, IndexTable, IndexedResource } from '../search/types.ts';

/** Column name → (entry field, Postgres array type) for each index table. */
const COLUMNS: Record<IndexTable, [column: string, field: string, type: string][]> = {
  string: [
    ['norm', 'norm', 'text'],
    ['exact', 'exact', 'text'],
  ],
  token: [
    ['system', 'system', 'text'],
    ['code', 'code', 'text'],
    ['text', 'text', 'text'],
    ['type_system', 'typeSystem', 'text'],
    ['type_code', 'typeCode', 'text'],
  ],
  date: [
    ['lo', 'lo', 'bigint'],
    ['hi', 'hi', 'bigint'],
  ],
  number: [['value', 'value', 'numeric']],
  quantity: [
    ['value', 'value', 'numeric'],
    ['system', 'system', 'text'],
    ['code', 'code', 'text'],
    ['unit', 'unit', 'text'],
  ],
  reference: [
    ['target_type', 'targetType', 'text'],
    ['target_id', 'targetId', 'text'],
    ['url', 'url', 'text'],
    ['version', 'version', 'text'],
    ['ident_system', 'identSystem', 'text'],
    ['ident_value', 'identValue', 'text'],
  ],
  uri: [['uri', 'uri', 'text']],
};

export const INDEX_TABLES = Object.keys(COLUMNS) as IndexTable[];

/**
 * Btree entries are limited to about 2.7 kB. Values longer than this are left out of the
 * index (so never found by an exact search) instead of failing the write; strings are
 * indexed by their first 100 characters and are exempt.
 */
const MAX_INDEXED = 800;

function fits(row: IndexRow): boolean {
  if (row.table === 'string') return true;
  for (const [, field] of COLUMNS[row.table]) {
    const v = (row as unknown as Record<string, unknown>)[field];
    if (typeof v === 'string' && v.length > MAX_INDEXED) return false;
  }
  return true;
}

/**
 * Writes index rows with one `insert … select from json_to_recordset(…)` per table, all in one
 * statement (data-modifying CTEs): a chunk of resources costs one round trip and one bind
 * parameter per table, however many rows it has (a multi-row VALUES would hit the
 * 65,535-parameter limit).
 */
export async function insertIndexRows(
  db: Knex | Knex.Transaction,
  items: { rid: string | number; indexed: IndexedResource }[],
): Promise<void> {
  const byTable = new Map<IndexTable, Record<string, unknown>[]>();
  for (const { rid, indexed } of items) {
    for (const row of indexed.rows) {
      if (!fits(row)) continue;
      const record: Record<string, unknown> = { rid: String(rid), param: row.param, grp: row.grp ?? null };
      for (const [column, field] of COLUMNS[row.table])
        record[column] = (row as unknown as Record<string, unknown>)[field] ?? null;
      const list = byTable.get(row.table) ?? [];
      list.push(record);
      byTable.set(row.table, list);
    }
  }
  const inserts: string[] = [];
  const bindings: string[] = [];
  for (const [table, records] of byTable) {
    const cols = COLUMNS[table];
    const names = ['rid', 'param', 'grp', ...cols.map(([c]) => c)];
    const types = ['bigint', 'text', 'integer', ...cols.map(([, , type]) => type)];
    inserts.push(
      `insert into idx_${table} (${names.join(', ')})
       select ${names.join(', ')} from json_to_recordset(?::json) as x(${names.map((n, i) => `${n} ${types[i]}`).join(', ')})`,
    );
    bindings.push(JSON.stringify(records));
  }
  const members = items.flatMap(({ rid, indexed }) =>
    indexed.compartments.map((c) => ({ rid: String(rid), type: c.compartmentType, id: c.compartmentId })),
  );
  if (members.length > 0) {
    inserts.push(
      `insert into idx_compartment (rid, compartment_type, compartment_id)
       select rid, type, id from json_to_recordset(?::json) as x(rid bigint, type text, id text)`,
    );
    bindings.push(JSON.stringify(members));
  }
  const facts = items.flatMap(({ rid, indexed }) =>
    (indexed.facts ?? []).map((f) => ({
      rid: String(rid),
      kind: f.kind,
      patient_id: f.patientId ?? null,
      actor: f.actor ?? null,
      grp: f.group ?? null,
      basis: f.basis ?? null,
      decision: f.decision ?? null,
      category: f.category ?? null,
      lo: f.lo ?? null,
      hi: f.hi ?? null,
    })),
  );
  if (facts.length > 0) {
    const cols = 'rid, kind, patient_id, actor, grp, basis, decision, category, lo, hi';
    inserts.push(
      `insert into idx_access (${cols})
       select ${cols} from json_to_recordset(?::json) as x(rid bigint, kind text, patient_id text,
         actor text, grp text, basis text, decision text, category text, lo bigint, hi bigint)`,
    );
    bindings.push(JSON.stringify(facts));
  }
  if (inserts.length === 0) return;
  const last = inserts.pop()!;
  const ctes = inserts.map((sql, i) => `i${i} as (${sql})`).join(', ');
  await db.raw(ctes ? `with ${ctes} ${last}` : last, bindings);
}

/** Removes the index rows of `rids` from every index table in one statement (one round trip per update). */
export async function deleteIndexRows(db: Knex | Knex.Transaction, rids: (string | number)[]): Promise<void> {
  if (rids.length === 0) return;
  const list = rids.map(() => '?').join(', ');
  const tables = [...INDEX_TABLES.map((t) => `idx_${t}`), 'idx_compartment', 'idx_access'];
  const last = tables.pop()!;
  const ctes = tables.map((t, i) => `d${i} as (delete from ${t} where rid in (${list}))`).join(', ');
  await db.raw(
    `with ${ctes} delete from ${last} where rid in (${list})`,
    Array(tables.length + 1)
      .fill(rids)
      .flat()
      .map(String),
  );
}
