import type { SearchParamRegistry, SearchParam } from '../registry/registry.ts';
import type {
  CompartmentRow,
  IndexRow,
  IndexTable,
  IndexedResource,
  ReferenceEntry,
  SearchParamType,
} from '../types.ts';
import { normalizeText } from '../values/normalize.ts';
import { dateEntries } from './date.ts';
import { numberEntries } from './number.ts';
import { quantityEntries } from './quantity.ts';
import { referenceEntries } from './reference.ts';
import { stringEntries } from './string.ts';
import { tokenEntries } from './token.ts';
import { uriEntries } from './uri.ts';
import type { ElementNode } from './node.ts';

type Resource = { resourceType: string; id?: string } & Record<string, unknown>;

/** Which table each parameter type indexes into; composite and special have none of their own. */
export const tableOf: Partial<Record<SearchParamType, IndexTable>> = {
  string: 'string',
  token: 'token',
  date: 'date',
  number: 'number',
  quantity: 'quantity',
  reference: 'reference',
  uri: 'uri',
};

const extractors: { [T in IndexTable]: (node: ElementNode) => object[] } = {
  string: stringEntries,
  token: tokenEntries,
  date: dateEntries,
  number: numberEntries,
  quantity: quantityEntries,
  reference: referenceEntries,
  uri: uriEntries,
};

/** `_id` and `_lastUpdated` are columns of the resource row, not index rows. */
const RESOURCE_COLUMNS = new Set(['_id', '_lastUpdated']);

/** What `resolve() is T` sees of an absolute reference: the type in its `…/T/id` tail. */
function urlTargetType(url: string | null | undefined): string | undefined {
  return url
    ? /\/([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/.exec(url)?.[1]
    : undefined;
}

export interface CompartmentDefinition {
  code: string;
  resource: { code: string; param?: string[] }[];
}

/**
 * What an in-memory check needs of a resource: these parameters' rows, its compartment
 * memberships, its narrative text. Indexing only these spares evaluating every parameter of
 * the type for a check that reads two or three of them (the gate asks it of every read).
 */
export interface IndexNeeds {
  params: ReadonlySet<string>;
  compartments: boolean;
  text: boolean;
}

/** The index rows of a resource: all of them, or (with `only`) just what a check needs. */
export type Indexer = (resource: Resource, only?: IndexNeeds) => IndexedResource;

function toNode(value: unknown): ElementNode {
  if (value !== null && typeof value === 'object' && 'fhirNodeDataType' in value && 'data' in value) {
    const node = value as { fhirNodeDataType: string | null; data: unknown };
    return { type: node.fhirNodeDataType ?? undefined, value: node.data };
  }
  return { type: undefined, value };
}

function evaluateSafely(
  evaluate: (input: unknown, env?: Record<string, unknown>) => unknown[],
  input: unknown,
  resource: Resource,
) {
  try {
    return evaluate(input, { resource });
  } catch {
    // An expression that cannot run on this resource's shape indexes nothing for it; the
    // write itself must not fail because of it.
    return [];
  }
}

function rowsOf(
  table: IndexTable,
  param: string,
  node: ElementNode,
  grp: number | undefined,
  resolveType?: string,
): IndexRow[] {
  let entries = extractors[table](node);
  if (resolveType && table === 'reference') {
    entries = (entries as ReferenceEntry[]).filter(
      (e) => (e.targetType ?? urlTargetType(e.url)) === resolveType,
    );
  }
  return entries.map((e) => ({ table, param, ...(grp === undefined ? {} : { grp }), ...e }) as IndexRow);
}

function indexParam(param: SearchParam, resource: Resource, rows: IndexRow[]): void {
  if (param.type === 'composite') {
    let grp = 0;
    param.parts.forEach((part, partIndex) => {
      for (const base of evaluateSafely(part.evaluate, resource, resource)) {
        grp++;
        // A composite matches only with every component in one group, so a group missing
        // one (an Observation's code without a value of this type) can never match: skip it.
        const group: IndexRow[] = [];
        const complete = param.components!.every((component, k) => {
          const table = tableOf[component.type];
          if (!table) return true;
          const before = group.length;
          for (const value of evaluateSafely(component.evaluate[partIndex]!, toNode(base).value, resource)) {
            group.push(...rowsOf(table, `${param.key}$${k}`, toNode(value), grp));
          }
          return group.length > before;
        });
        if (complete) rows.push(...group);
      }
    });
    return;
  }
  const table = tableOf[param.type];
  if (!table) return;
  for (const part of param.parts) {
    for (const value of evaluateSafely(part.evaluate, resource, resource)) {
      rows.push(...rowsOf(table, param.key, toNode(value), undefined, part.resolveType));
    }
  }
}

/** The narrative's text content, tags stripped, for `_text`. */
function narrativeText(resource: Resource): string | undefined {
  const div = (resource.text as { div?: unknown } | undefined)?.div;
  if (typeof div !== 'string') return undefined;
  const text = div
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return text || undefined;
}

function dedupe(rows: IndexRow[]): IndexRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = JSON.stringify(row);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Builds the index rows of a resource: every search parameter of its type, evaluated with
 * FHIRPath, plus its compartment memberships. Pure: the store writes what this returns in the
 * same transaction as the resource.
 */
export function createIndexer(registry: SearchParamRegistry, compartments: CompartmentDefinition[]): Indexer {
  const compartmentParams = new Map<string, { compartment: string; keys: Set<string> }[]>();
  for (const def of compartments) {
    for (const r of def.resource) {
      if (!r.param?.length) continue;
      const list = compartmentParams.get(r.code) ?? [];
      list.push({ compartment: def.code, keys: new Set(r.param.map((p) => `${r.code}.${p}`)) });
      compartmentParams.set(r.code, list);
    }
  }
  const membershipKeys = new Map<string, Set<string>>();
  for (const [type, list] of compartmentParams)
    membershipKeys.set(type, new Set(list.flatMap((l) => [...l.keys])));
  const wanted = (type: string, only: IndexNeeds, key: string) =>
    only.params.has(key) || (only.compartments && membershipKeys.get(type)?.has(key) === true);
  return (resource, only) => {
    const rows: IndexRow[] = [];
    for (const param of registry.forType(resource.resourceType)) {
      if (RESOURCE_COLUMNS.has(param.code)) continue;
      if (only && !wanted(resource.resourceType, only, param.key)) continue;
      indexParam(param, resource, rows);
    }
    const text = !only || only.text ? narrativeText(resource) : undefined;
    if (text)
      rows.push({
        table: 'string',
        param: 'Resource._text',
        norm: normalizeText(text),
        exact: text,
      });

    const members = new Map<string, CompartmentRow>();
    for (const { compartment, keys } of compartmentParams.get(resource.resourceType) ?? []) {
      for (const row of rows) {
        if (
          row.table === 'reference' &&
          keys.has(row.param) &&
          row.targetType === compartment &&
          row.targetId
        ) {
          members.set(`${compartment}/${row.targetId}`, {
            compartmentType: compartment,
            compartmentId: row.targetId,
          });
        }
      }
    }
    if (compartments.some((c) => c.code === resource.resourceType) && resource.id) {
      members.set(`${resource.resourceType}/${resource.id}`, {
        compartmentType: resource.resourceType,
        compartmentId: resource.id,
      });
    }
    return { rows: dedupe(rows), compartments: [...members.values()] };
  };
}

/**
 * The ids of the `compartmentType` compartments a resource is in, evaluating only the
 * parameters that define membership (the audit asks this of every resource it records).
 */
export function createCompartmentReader(
  registry: SearchParamRegistry,
  compartments: CompartmentDefinition[],
  compartmentType: string,
): (resource: Resource) => string[] {
  const def = compartments.find((c) => c.code === compartmentType);
  const params = new Map<string, SearchParam[]>();
  for (const r of def?.resource ?? []) {
    if (!r.param?.length) continue;
    const codes = new Set(r.param);
    params.set(
      r.code,
      registry.forType(r.code).filter((p) => codes.has(p.code)),
    );
  }
  return (resource) => {
    const ids = new Set<string>();
    if (resource.resourceType === compartmentType && typeof resource.id === 'string') ids.add(resource.id);
    const rows: IndexRow[] = [];
    for (const param of params.get(resource.resourceType) ?? []) indexParam(param, resource, rows);
    for (const row of rows) {
      if (row.table === 'reference' && row.targetType === compartmentType && row.targetId)
        ids.add(row.targetId);
    }
    return [...ids];
  };
}
