import type { IndexNeeds } from './extract/indexer.ts';
import type { Condition, IndexRow, IndexedResource, Predicate } from './types.ts';

/**
 * The in-memory twin of storage/search-sql.ts: evaluates a Condition against the index rows
 * of a resource that is not stored yet (a Bundle entry). Conditions that need other
 * resources — chains, `_has`, `_list` — cannot be decided here and do not match.
 */

function test(p: Predicate, get: (column: string) => unknown): boolean {
  switch (p.op) {
    case 'and':
      return p.args.every((a) => test(a, get));
    case 'or':
      return p.args.some((a) => test(a, get));
    case 'null':
      return get(p.column) == null;
    case 'notnull':
      return get(p.column) != null;
    case 'in':
      return p.values.includes(get(p.column) as string);
    case 'prefix': {
      const v = get(p.column);
      return typeof v === 'string' && v.startsWith(p.value);
    }
    case 'contains': {
      const v = get(p.column);
      return typeof v === 'string' && v.includes(p.value);
    }
    default: {
      const v = get(p.column) as string | number | null | undefined;
      if (v == null) return false;
      switch (p.op) {
        case 'eq':
          return v === p.value;
        case 'ne':
          return v !== p.value;
        case 'lt':
          return v < p.value;
        case 'le':
          return v <= p.value;
        case 'gt':
          return v > p.value;
        case 'ge':
          return v >= p.value;
      }
    }
  }
}

const field = (row: IndexRow) => (column: string) => (row as unknown as Record<string, unknown>)[column];

function collectStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectStrings(v, out);
}

export function matchesInMemory(
  c: Condition,
  resource: { id?: string; meta?: { lastUpdated?: string } } & Record<string, unknown>,
  indexed: IndexedResource,
): boolean {
  const self = (x: Condition) => matchesInMemory(x, resource, indexed);
  switch (c.kind) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return c.args.every(self);
    case 'or':
      return c.args.some(self);
    case 'not':
      return !self(c.arg);
    case 'index':
      return indexed.rows.some(
        (row) =>
          row.table === c.table && c.params.includes(row.param) && c.where.every((p) => test(p, field(row))),
      );
    case 'composite': {
      const [first, ...rest] = c.parts;
      if (!first) return false;
      return indexed.rows.some(
        (row) =>
          row.table === first.table &&
          row.param === first.param &&
          first.where.every((p) => test(p, field(row))) &&
          rest.every((part) =>
            indexed.rows.some(
              (other) =>
                other.table === part.table &&
                other.param === part.param &&
                other.grp === row.grp &&
                part.where.every((p) => test(p, field(other))),
            ),
          ),
      );
    }
    case 'resource': {
      const value =
        c.column === 'id'
          ? resource.id
          : c.column === 'type'
            ? resource.resourceType
            : resource.meta?.lastUpdated
              ? Date.parse(resource.meta.lastUpdated)
              : undefined;
      return c.where.every((p) => test(p, () => value));
    }
    case 'compartment':
      return indexed.compartments.some(
        (m) => m.compartmentType === c.compartmentType && m.compartmentId === c.compartmentId,
      );
    case 'each-compartment': {
      const cases = c.cases.map((k) => ({ ids: new Set(k.ids), condition: k.condition }));
      const mine = indexed.compartments.filter((m) => m.compartmentType === c.compartmentType);
      if (c.atLeastOne && mine.length === 0) return false;
      return mine.every((m) => cases.some((k) => k.ids.has(m.compartmentId) && self(k.condition)));
    }
    case 'text': {
      const strings: string[] = [];
      collectStrings(resource, strings);
      const needle = c.value.toLowerCase();
      return strings.some((s) => s.toLowerCase().includes(needle));
    }
    case 'chain':
    case 'has':
    case 'list':
      return false;
  }
}

const needsOf = new WeakMap<Condition, IndexNeeds>();

/** The index rows `matchesInMemory` reads for a condition (kept per condition object). */
export function indexNeeds(c: Condition): IndexNeeds {
  let needs = needsOf.get(c);
  if (!needs) {
    const params = new Set<string>();
    const found = { compartments: false, text: false };
    const walk = (x: Condition): void => {
      switch (x.kind) {
        case 'and':
        case 'or':
          return x.args.forEach(walk);
        case 'not':
          return walk(x.arg);
        case 'index':
          for (const p of x.params) params.add(p);
          if (x.params.includes('Resource._text')) found.text = true;
          return;
        case 'composite':
          // A composite's rows are keyed `<parameter>$<component>`; the indexer knows the parameter.
          for (const part of x.parts) params.add(part.param.replace(/\$\d+$/, ''));
          return;
        case 'compartment':
          found.compartments = true;
          return;
        case 'each-compartment':
          found.compartments = true;
          return x.cases.forEach((k) => walk(k.condition));
        default:
          return;
      }
    };
    walk(c);
    needs = { params, ...found };
    needsOf.set(c, needs);
  }
  return needs;
}
