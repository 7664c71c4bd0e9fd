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
 * The index rows of `items` as data-modifying statements, one `insert … select from
 * json_to_recordset(…)` per table, each with one bind parameter however many rows it has (a
 * multi-row VALUES would hit the 65,535-parameter limit). Each item's rows name it by `key`:
 * its rid, or (with `ridOf`) a number the statement maps to a rid itself, so the rows can go
 * into the statement that inserts the resources.
 */
export function indexInserts(
  items: { key: string | number; indexed: IndexedResource }[],
  ridOf?: { cte: string; key: string },
): { statements: string[]; bindings: string[] } {
  // Rows name their resource by `k`; a join turns it into the rid.
  const rid = ridOf ? 'r.rid' : 'x.k';
  const keyType = ridOf ? 'int' : 'bigint';
  const join = ridOf ? ` join ${ridOf.cte} r on r.${ridOf.key} = x.k` : '';
  const byTable = new Map<IndexTable, Record<string, unknown>[]>();
  for (const { key, indexed } of items) {
    for (const row of indexed.rows) {
      if (!fits(row)) continue;
      const record: Record<string, unknown> = { k: String(key), param: row.param, grp: row.grp ?? null };
      for (const [column, field] of COLUMNS[row.table])
        record[column] = (row as unknown as Record<string, unknown>)[field] ?? null;
      const list = byTable.get(row.table) ?? [];
      list.push(record);
      byTable.set(row.table, list);
    }
  }
  const statements: string[] = [];
  const bindings: string[] = [];
  for (const [table, records] of byTable) {
    const cols = COLUMNS[table];
    const names = ['param', 'grp', ...cols.map(([c]) => c)];
    const types = ['text', 'integer', ...cols.map(([, , type]) => type)];
    statements.push(
      `insert into idx_${table} (rid, ${names.join(', ')})
       select ${rid}, ${names.map((n) => `x.${n}`).join(', ')}
         from json_to_recordset(?::json) as x(k ${keyType}, ${names.map((n, i) => `${n} ${types[i]}`).join(', ')})${join}`,
    );
    bindings.push(JSON.stringify(records));
  }
  const members = items.flatMap(({ key, indexed }) =>
    indexed.compartments.map((c) => ({ k: String(key), type: c.compartmentType, id: c.compartmentId })),
  );
  if (members.length > 0) {
    statements.push(
      `insert into idx_compartment (rid, compartment_type, compartment_id)
       select ${rid}, x.type, x.id from json_to_recordset(?::json) as x(k ${keyType}, type text, id text)${join}`,
    );
    bindings.push(JSON.stringify(members));
  }
  const facts = items.flatMap(({ key, indexed }) =>
    (indexed.facts ?? []).map((f) => ({
      k: String(key),
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
    const cols = 'kind, patient_id, actor, grp, basis, decision, category, lo, hi';
    statements.push(
      `insert into idx_access (rid, ${cols})
       select ${rid}, ${cols
         .split(', ')
         .map((c) => `x.${c}`)
         .join(', ')} from json_to_recordset(?::json) as x(k ${keyType}, kind text, patient_id text,
         actor text, grp text, basis text, decision text, category text, lo bigint, hi bigint)${join}`,
    );
    bindings.push(JSON.stringify(facts));
  }
  return { statements, bindings };
}

/** Writes the index rows of resources already stored, all tables in one statement. */
export async function insertIndexRows(
  db: Knex | Knex.Transaction,
  items: { rid: string | number; indexed: IndexedResource }[],
): Promise<void> {
  const { statements, bindings } = indexInserts(items.map(({ rid, indexed }) => ({ key: rid, indexed })));
  if (statements.length === 0) return;
  const last = statements.pop()!;
  const ctes = statements.map((sql, i) => `i${i} as (${sql})`).join(', ');
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
