/**
 * The search engine's shared vocabulary.
 *
 * Write path: a resource → `IndexRow`s (extract/) → index tables (storage).
 * Read path: query parameters → `Condition` tree (compile/) → SQL (storage/search-sql.ts), or
 * → the in-memory twin (in-memory.ts) for resources that are not stored yet.
 */

export type SearchParamType =
  'string' | 'token' | 'reference' | 'date' | 'number' | 'quantity' | 'uri' | 'composite' | 'special';

/** One index table per value kind; `composite` parameters index into these with a group number. */
export type IndexTable = 'string' | 'token' | 'date' | 'number' | 'quantity' | 'reference' | 'uri';

/** `norm` is lower-cased and accent-stripped (see values/normalize.ts); `exact` is as written. */
export interface StringEntry {
  norm: string;
  exact: string;
}

/**
 * Codings, identifiers, codes, booleans, contact points. `text` (normalised) is the display or
 * CodeableConcept.text for `:text`; `typeSystem`/`typeCode` carry Identifier.type for `:of-type`.
 */
export interface TokenEntry {
  system: string | null;
  code: string | null;
  text: string | null;
  typeSystem?: string | null;
  typeCode?: string | null;
}

/** A date, dateTime, instant, Period or Timing event as an inclusive range in epoch milliseconds. */
export interface DateEntry {
  lo: number;
  hi: number;
}

export interface NumberEntry {
  value: number;
}

export interface QuantityEntry {
  value: number;
  system: string | null;
  code: string | null;
  unit: string | null;
}

/**
 * A reference: `Type/id` (relative, or absolute with a known base), an external or canonical
 * `url` (canonical `|version` split off into `version`), or a logical `identifier`.
 */
export interface ReferenceEntry {
  targetType: string | null;
  targetId: string | null;
  url: string | null;
  version?: string | null;
  identSystem?: string | null;
  identValue?: string | null;
}

export interface UriEntry {
  uri: string;
}

export interface EntryOf {
  string: StringEntry;
  token: TokenEntry;
  date: DateEntry;
  number: NumberEntry;
  quantity: QuantityEntry;
  reference: ReferenceEntry;
  uri: UriEntry;
}

/**
 * One index row. `param` is the key `<ResourceType>.<code>` (components of a composite:
 * `<ResourceType>.<code>$<n>`); `grp` ties the components of one composite value together.
 */
export type IndexRow = {
  [T in IndexTable]: { table: T; param: string; grp?: number } & EntryOf[T];
}[IndexTable];

/** Membership of a resource in a compartment (`Patient/123`). */
export interface CompartmentRow {
  compartmentType: string;
  compartmentId: string;
}

/**
 * A fact the access rules derive from a resource: a treatment relationship, a membership of a
 * group (CareTeam), a consent rule. Stored beside the search index (and replaced with it), so a
 * fact changes in the same transaction as the resource that states it. The access layer gives
 * the meaning; the index only keeps them.
 */
export interface AccessFact {
  kind: 'relationship' | 'member' | 'consent';
  patientId?: string;
  /** Who it is about: `Practitioner/1`, `Organization/2`, `CareTeam/3`, `code:<system>|<code>`. */
  actor?: string;
  /** A membership's group (`CareTeam/3`). */
  group?: string;
  /** A relationship's kind (care-plan, encounter, …). */
  basis?: string;
  decision?: 'permit' | 'deny';
  /** A consent rule's data category. */
  category?: string;
  /** Validity in epoch milliseconds, inclusive; absent = unbounded. */
  lo?: number;
  hi?: number;
}

export interface IndexedResource {
  rows: IndexRow[];
  compartments: CompartmentRow[];
  facts?: AccessFact[];
}

// ---------------------------------------------------------------------------------------------
// Query IR. Storage turns it into SQL; in-memory.ts evaluates it against IndexRows.

/** Column comparisons inside one index row. Columns are the entry fields above. */
export type Predicate =
  | { op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; column: string; value: string | number }
  | { op: 'in'; column: string; values: (string | number)[] }
  /** Normalised or exact text starts with / contains `value` (no wildcards: matched literally). */
  | { op: 'prefix' | 'contains'; column: string; value: string }
  | { op: 'null' | 'notnull'; column: string }
  | { op: 'and' | 'or'; args: Predicate[] };

export type Condition =
  | { kind: 'true' }
  | { kind: 'false' }
  | { kind: 'and'; args: Condition[] }
  | { kind: 'or'; args: Condition[] }
  | { kind: 'not'; arg: Condition }
  /** Some row of `table` for `param` (any of `params`) satisfies every predicate. */
  | { kind: 'index'; table: IndexTable; params: string[]; where: Predicate[] }
  /** Some group of the composite has, for each part, a row satisfying its predicates. */
  | { kind: 'composite'; parts: { table: IndexTable; param: string; where: Predicate[] }[] }
  /** A column of the resource row itself. */
  | { kind: 'resource'; column: 'id' | 'lastUpdated' | 'type'; where: Predicate[] }
  /** A reference in `params` points at a live `targetType` resource that satisfies `target`. */
  | { kind: 'chain'; params: string[]; targetType: string; target: Condition }
  /** Some live `sourceType` resource refers to this one through `param` and satisfies `source`. */
  | { kind: 'has'; sourceType: string; param: string; source: Condition }
  /** Listed in List/`listId` (List.entry.item). */
  | { kind: 'list'; listId: string }
  /** Member of the compartment. */
  | { kind: 'compartment'; compartmentType: string; compartmentId: string }
  /**
   * Every compartment of this type the row is in matches a case: its id is among the case's
   * `ids` and the row satisfies the case's `condition` (true for a row in no such compartment).
   * The access gate's "each patient of the row is related, and their consent allows the row".
   */
  | {
      kind: 'each-compartment';
      compartmentType: string;
      cases: { ids: readonly string[]; condition: Condition }[];
      /** The row must be in at least one such compartment (else a row in none passes). */
      atLeastOne?: boolean;
    }
  /** Basic full-text: some string value of the resource (`content`) or its narrative (`text`). */
  | { kind: 'text'; scope: 'content' | 'narrative'; value: string };
