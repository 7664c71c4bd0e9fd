import type { Knex } from 'knex';
import type { SortKey } from '../search/result-params.ts';
import type { Condition } from '../search/types.ts';
import { FhirError } from '../errors.ts';
import { ConditionCompiler } from './search-sql.ts';
import type { StoredVersion } from './types.ts';

/** What to search: per resource type a condition, ORed together; or one condition for any type. */
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

/**
 * Untyped chains fan out over every target type; whatever the parser let through, one
 * statement cannot bind more than 65,535 values.
 */
function checkBindings(b: unknown[]): void {
  if (b.length > 60_000) {
    throw new FhirError(400, 'This search is too large to run; narrow it or split it', {
      code: 'too-costly',
    });
  }
}

const SELECT = 'r.rid, r.resource_type, r.id, r.version_id, r.last_updated, r.content';

/** A statement a search ran, with its `EXPLAIN (ANALYZE, FORMAT JSON)` output. */
export interface ExplainedStatement {
  sql: string;
  bindings: unknown[];
  plan: ExplainPlan;
}

/** One node of a Postgres JSON plan; only the fields the plan checks read are typed. */
export interface ExplainNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: ExplainNode[];
  [field: string]: unknown;
}

export interface ExplainPlan {
  Plan: ExplainNode;
  'Execution Time'?: number;
  [field: string]: unknown;
}

function planOf(rows: { 'QUERY PLAN': unknown }[]): ExplainPlan {
  const raw = rows[0]?.['QUERY PLAN'];
  return ((typeof raw === 'string' ? JSON.parse(raw) : raw) as ExplainPlan[])[0]!;
}

export interface SearchQueriesOptions {
  /**
   * Before running each statement, explain it (with ANALYZE) and append it here: the plan
   * test checks the very statements a search runs, with the same bound parameters.
   */
  explain?: ExplainedStatement[];
}

/** What running a search needs of the database (the access layer wraps it with the caller's criteria). */
export type SearchStatements = Pick<
  SearchQueries,
  'page' | 'count' | 'estimate' | 'maxRid' | 'referencedBy' | 'referring'
>;

/** Search statements: one SELECT per page, its filter compiled from the Condition IR. */
export class SearchQueries {
  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly options: SearchQueriesOptions = {},
  ) {}

  private async rows<R>(sql: string, b: unknown[]): Promise<R[]> {
    // Untyped chains fan out over every target type; whatever the parser let through, a
    // statement cannot bind more than 65,535 values.
    if (b.length > 60_000) {
      throw new FhirError(400, 'This search is too large to run; narrow it or split it', {
        code: 'too-costly',
      });
    }
    const bindings = b as Knex.RawBinding[];
    if (this.options.explain) {
      const { rows } = (await this.db.raw(`explain (analyze, format json) ${sql}`, bindings)) as {
        rows: { 'QUERY PLAN': unknown }[];
      };
      this.options.explain.push({ sql, bindings: b, plan: planOf(rows) });
    }
    return ((await this.db.raw(sql, bindings)) as { rows: R[] }).rows;
  }

  /**
   * The search as `select <columns> from resource r … where …`, one SELECT per group of types
   * that share a condition, joined by UNION ALL. An OR of per-type EXISTS conditions can only
   * be checked row by row (a compartment's 60-odd types walked the whole table); a branch per
   * condition lets the planner drive each from its own index. Branches of one search never
   * share a type, so no row repeats (a transaction's conditional matching asks for one type
   * under several conditions, and takes each row once). `from` is what follows `from resource r` (lateral joins), bound per branch.
   */
  private select(
    scope: SearchScope,
    columns: string,
    b: unknown[],
    from: (b: unknown[]) => string = () => '',
  ): string {
    if (scope.types.length > 1 && scope.types.some((t) => !t.resourceType)) {
      throw new Error('a search of any type has one condition');
    }
    const groups = new Map<string, { types: string[]; condition: Condition }>();
    for (const { resourceType, condition } of scope.types) {
      const key = JSON.stringify(condition);
      const group = groups.get(key) ?? { types: [], condition };
      if (resourceType) group.types.push(resourceType);
      groups.set(key, group);
    }
    if (groups.size === 0) return `select ${columns} from resource r${from(b)} where false`;
    const compiler = new ConditionCompiler();
    return [...groups.values()]
      .map(({ types, condition }) => {
        const head = `select ${columns} from resource r${from(b)}`;
        const parts = ['not r.deleted'];
        if (types.length > 0) {
          b.push(...types);
          parts.push(
            types.length === 1
              ? 'r.resource_type = ?'
              : `r.resource_type in (${types.map(() => '?').join(', ')})`,
          );
        }
        parts.push(compiler.compile(condition, 'r', b));
        return `${head} where ${parts.join(' and ')}`;
      })
      .join(' union all ');
  }

  async page(q: PageQuery): Promise<SearchRow[]> {
    const b: unknown[] = [];
    // Index sort keys come from lateral subqueries: a scalar subquery in the select list would
    // be evaluated again for every reference to its column in ORDER BY and the keyset filter.
    const keys = q.sort.map((s, i) => {
      if (s.kind === 'column') return s.column === 'id' ? 'r.id' : 'r.last_updated';
      return `s${i}.k`;
    });
    const lateral = (b: unknown[]) =>
      q.sort
        .map((s, i) => {
          if (s.kind === 'column') return '';
          b.push(...s.params);
          const agg = SORT_COLUMN[s.table]![s.descending ? 'desc' : 'asc'];
          const param =
            s.params.length === 1 ? 'x.param = ?' : `x.param in (${s.params.map(() => '?').join(', ')})`;
          return ` left join lateral (select ${agg} as k from idx_${s.table} x where x.rid = r.rid and ${param}) s${i} on true`;
        })
        .join('');
    const inner = this.select(q, [SELECT, ...keys.map((e, i) => `${e} as k${i}`)].join(', '), b, lateral);

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
    const rows = await this.rows<Row>(sql, b);
    const result = rows.map((row) => toRow(row, q.sort.length));
    return reverse ? result.reverse() : result;
  }

  async count(scope: SearchScope): Promise<number> {
    const b: unknown[] = [];
    const rows = await this.rows<{ n: string | number }>(
      `select count(*) as n from (${this.select(scope, 'r.rid', b)}) q`,
      b,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The planner's row estimate: cheap, and good enough for `_total=estimate`. */
  async estimate(scope: SearchScope): Promise<number> {
    const b: unknown[] = [];
    const sql = `explain (format json) ${this.select(scope, '1', b)}`;
    checkBindings(b);
    const { rows } = (await this.db.raw(sql, b as Knex.RawBinding[])) as {
      rows: { 'QUERY PLAN': unknown }[];
    };
    return Math.round((planOf(rows).Plan['Plan Rows'] as number | undefined) ?? 0);
  }

  async maxRid(): Promise<string> {
    const rows = await this.rows<{ m: string | null }>('select max(rid) as m from resource', []);
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
    const rows = await this.rows<Row>(
      `select distinct ${SELECT} from idx_reference c join resource r on r.resource_type = c.target_type and r.id = c.target_id where ${parts.join(' and ')} order by r.rid limit ?`,
      b,
    );
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
    const rows = await this.rows<Row>(
      `select distinct ${SELECT} from idx_reference c join resource r on r.rid = c.rid where ${parts.join(' and ')} order by r.rid limit ?`,
      b,
    );
    return rows.map((row) => toRow(row, 0));
  }
}
