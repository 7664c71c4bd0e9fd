import type { Knex } from 'knex';
import type { SortKey } from '../search/result-params.ts';
import type { Condition } from '../search/types.ts';
import { ConditionCompiler } from './search-sql.ts';
import type { StoredVersion } from './types.ts';

/** What to search: per resource type (or any type) a condition, ORed together. */
export interface SearchScope {
  types: { resourceType?: string; condition: Condition }[];
}

/** Where a page starts: strictly after (or before) this row in the sort order. */
export interface Keyset {
  keys: unknown[];
  rid: string;
  direction: 'after' | 'before';
}

export interface PageQuery extends SearchScope {
  sort: SortKey[];
  limit: number;
  keyset?: Keyset;
  /** Leave out resources created after the search began (their rid is higher). */
  maxRid?: string;
}

export interface SearchRow extends StoredVersion {
  rid: string;
  /** The row's sort-key values, for the next page's keyset. */
  keys: unknown[];
}

interface Row {
  rid: string | number;
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date;
  content: string;
  [key: `k${number}`]: unknown;
}

const SORT_COLUMN: Record<string, { asc: string; desc: string }> = {
  string: { asc: 'min(x.norm)', desc: 'max(x.norm)' },
  token: { asc: 'min(x.code)', desc: 'max(x.code)' },
  date: { asc: 'min(x.lo)', desc: 'max(x.hi)' },
  number: { asc: 'min(x.value)', desc: 'max(x.value)' },
  quantity: { asc: 'min(x.value)', desc: 'max(x.value)' },
  reference: {
    asc: "min(coalesce(x.target_type || '/' || x.target_id, x.url))",
    desc: "max(coalesce(x.target_type || '/' || x.target_id, x.url))",
  },
  uri: { asc: 'min(x.uri)', desc: 'max(x.uri)' },
};

function toRow(row: Row, sortCount: number): SearchRow {
  return {
    rid: String(row.rid),
    resourceType: row.resource_type,
    id: row.id,
    versionId: row.version_id,
    lastUpdated: new Date(row.last_updated),
    deleted: false,
    content: row.content,
    keys: Array.from({ length: sortCount }, (_, i) => {
      const v = row[`k${i}`];
      return v instanceof Date ? v.toISOString() : v;
    }),
  };
}

const SELECT = 'r.rid, r.resource_type, r.id, r.version_id, r.last_updated, r.content';

/** Search statements: one SELECT per page, its filter compiled from the Condition IR. */
export class SearchQueries {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  private where(scope: SearchScope, b: unknown[]): string {
    const compiler = new ConditionCompiler();
    const branches = scope.types.map(({ resourceType, condition }) => {
      const parts: string[] = [];
      if (resourceType) {
        b.push(resourceType);
        parts.push('r.resource_type = ?');
      }
      parts.push(compiler.compile(condition, 'r', b));
      return parts.join(' and ');
    });
    return `not r.deleted and (${branches.map((s) => `(${s})`).join(' or ') || 'false'})`;
  }

  async page(q: PageQuery): Promise<SearchRow[]> {
    const b: unknown[] = [];
    const sortExprs = q.sort.map((s) => {
      if (s.kind === 'column') return s.column === 'id' ? 'r.id' : 'r.last_updated';
      b.push(s.param);
      const agg = SORT_COLUMN[s.table]![s.descending ? 'desc' : 'asc'];
      return `(select ${agg} from idx_${s.table} x where x.rid = r.rid and x.param = ?)`;
    });
    const inner = `select ${[SELECT, ...sortExprs.map((e, i) => `${e} as k${i}`)].join(', ')} from resource r where ${this.where(q, b)}`;

    // The total order: for each key, rows without a value last, then the value; rid breaks ties.
    const reverse = q.keyset?.direction === 'before';
    const terms: { expr: string; descending: boolean }[] = [];
    q.sort.forEach((s, i) => {
      terms.push({ expr: `(q.k${i} is null)`, descending: false });
      terms.push({ expr: `q.k${i}`, descending: s.descending });
    });
    terms.push({ expr: 'q.rid', descending: false });

    const outer: string[] = [];
    if (q.maxRid) {
      outer.push('q.rid <= ?');
      b.push(q.maxRid);
    }
    if (q.keyset) {
      const values: unknown[] = [];
      q.keyset.keys.forEach((k) => values.push(k === null || k === undefined, k ?? null));
      values.push(q.keyset.rid);
      const disjuncts = terms.map((term, i) => {
        const eqs = terms.slice(0, i).map((t, j) => {
          b.push(values[j]);
          return `${t.expr} is not distinct from ?`;
        });
        const forward = term.descending ? '<' : '>';
        const op = reverse ? (forward === '<' ? '>' : '<') : forward;
        b.push(values[i]);
        return `(${[...eqs, `${term.expr} ${op} ?`].join(' and ')})`;
      });
      outer.push(`(${disjuncts.join(' or ')})`);
    }
    const order = terms.map((t) => `${t.expr} ${t.descending !== reverse ? 'desc' : 'asc'}`).join(', ');
    b.push(q.limit);
    const sql = `select * from (${inner}) q ${outer.length ? `where ${outer.join(' and ')}` : ''} order by ${order} limit ?`;
    const { rows } = (await this.db.raw(sql, b as Knex.RawBinding[])) as { rows: Row[] };
    const result = rows.map((row) => toRow(row, q.sort.length));
    return reverse ? result.reverse() : result;
  }

  async count(scope: SearchScope): Promise<number> {
    const b: unknown[] = [];
    const { rows } = (await this.db.raw(
      `select count(*) as n from resource r where ${this.where(scope, b)}`,
      b as Knex.RawBinding[],
    )) as {
      rows: { n: string | number }[];
    };
    return Number(rows[0]?.n ?? 0);
  }

  /** The planner's row estimate: cheap, and good enough for `_total=estimate`. */
  async estimate(scope: SearchScope): Promise<number> {
    const b: unknown[] = [];
    const { rows } = (await this.db.raw(
      `explain (format json) select 1 from resource r where ${this.where(scope, b)}`,
      b as Knex.RawBinding[],
    )) as {
      rows: { 'QUERY PLAN': unknown }[];
    };
    const raw = rows[0]?.['QUERY PLAN'];
    const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: { 'Plan Rows': number } }[];
    return Math.round(plan[0]?.Plan['Plan Rows'] ?? 0);
  }

  async maxRid(): Promise<string> {
    const { rows } = (await this.db.raw('select max(rid) as m from resource')) as {
      rows: { m: string | null }[];
    };
    return String(rows[0]?.m ?? '0');
  }

  /** Resources that `rids` refer to through `params` (`_include`). */
  async referencedBy(
    rids: string[],
    params: string[],
    targetType: string | undefined,
    filter: Condition | undefined,
    limit: number,
  ): Promise<SearchRow[]> {
    if (rids.length === 0 || params.length === 0) return [];
    const b: unknown[] = [...rids, ...params];
    const parts = [
      `c.rid in (${rids.map(() => '?').join(', ')})`,
      `c.param in (${params.map(() => '?').join(', ')})`,
      'not r.deleted',
    ];
    if (targetType) {
      parts.push('c.target_type = ?');
      b.push(targetType);
    }
    if (filter) parts.push(new ConditionCompiler().compile(filter, 'r', b));
    b.push(limit);
    const { rows } = (await this.db.raw(
      `select distinct ${SELECT} from idx_reference c join resource r on r.resource_type = c.target_type and r.id = c.target_id where ${parts.join(' and ')} order by r.rid limit ?`,
      b as Knex.RawBinding[],
    )) as { rows: Row[] };
    return rows.map((row) => toRow(row, 0));
  }

  /** Resources that refer to `targets` through `params` (`_revinclude`). */
  async referring(
    targets: { resourceType: string; id: string }[],
    params: string[],
    filter: Condition | undefined,
    limit: number,
  ): Promise<SearchRow[]> {
    if (targets.length === 0 || params.length === 0) return [];
    const b: unknown[] = [...params];
    const pairs = targets.map((t) => {
      b.push(t.resourceType, t.id);
      return '(?, ?)';
    });
    const parts = [
      `c.param in (${params.map(() => '?').join(', ')})`,
      `(c.target_type, c.target_id) in (${pairs.join(', ')})`,
      'not r.deleted',
    ];
    if (filter) parts.push(new ConditionCompiler().compile(filter, 'r', b));
    b.push(limit);
    const { rows } = (await this.db.raw(
      `select distinct ${SELECT} from idx_reference c join resource r on r.rid = c.rid where ${parts.join(' and ')} order by r.rid limit ?`,
      b as Knex.RawBinding[],
    )) as { rows: Row[] };
    return rows.map((row) => toRow(row, 0));
  }
}
