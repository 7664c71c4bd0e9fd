import { FhirError } from '../errors.ts';
import { conditionalPatch, patch, type PatchDocument } from './patch.ts';
import { conditionalRemove, remove } from './delete.ts';
import { conditionalUpdate, update } from './update.ts';
import { create } from './create.ts';
import { everything } from './everything.ts';
import { history } from './history.ts';
import { read } from './read.ts';
import { search, type SearchRequest } from './search.ts';
import { validateOperation } from './validate-operation.ts';
import { vread } from './vread.ts';
import type { FhirResult, Preconditions, RestContext } from './types.ts';

/** A FHIR request after HTTP (or a Bundle entry) has been taken apart. */
export interface FhirRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Path segments after the base URL. */
  path: string[];
  query: URLSearchParams;
  body?: unknown;
  patch?: PatchDocument;
  /** Parameters of an `application/x-www-form-urlencoded` body (`POST …/_search`). */
  form?: URLSearchParams;
  /**
   * `Prefer: handling=lenient`: unknown search parameters are ignored and reported instead of
   * refused. Bundle entries take it from the request that carried the Bundle.
   */
  lenient?: boolean;
  pre: Preconditions;
  /** `Prefer: return=representation` asked for resources in Bundle responses. */
  representation?: boolean;
  /**
   * The id of this PUT was chosen by the server (a transaction's conditional update that
   * matched nothing and named no id): a create there is one anyone may make, as a POST is.
   */
  serverAssignedId?: boolean;
}

export interface Matched {
  resourceType: string;
  id: string;
  vid: string;
  /** Compartment search `Patient/1/Observation`: the type searched, or `*`. */
  target?: string;
}

/** `type` matches a resource type, `id`/`vid` an id; anything else is a literal segment. */
export type Segment = 'type' | 'id' | 'vid' | 'target' | `_${string}` | `$${string}` | 'metadata';

export interface Route {
  method: FhirRequest['method'];
  pattern: Segment[];
  /** CapabilityStatement interaction codes, or the operation name for `$…` routes. */
  interaction: string | string[];
  level: 'system' | 'type' | 'instance';
  /** Only these resource types (an operation like Patient/$everything); all when absent. */
  types?: string[];
  /** Takes an `application/x-www-form-urlencoded` body (`POST …/_search`). */
  form?: boolean;
  /** An operation's OperationDefinition (canonical URL), for the CapabilityStatement. */
  definition?: string;
  /**
   * Takes only the requests it claims (a domain's rule for some Bundles at the base, say): such a
   * route is asked before the routes that take every request on its path and method.
   */
  claims?(req: FhirRequest): boolean;
  handle(ctx: RestContext, req: FhirRequest, m: Matched): Promise<FhirResult>;
}

/**
 * `_format` and `_pretty` shape the HTTP response and mean nothing to an interaction; whoever
 * builds a FhirRequest (the HTTP handler, a Bundle entry) drops them here, once.
 */
export function interactionQuery(raw: string): URLSearchParams {
  const query = new URLSearchParams(raw);
  query.delete('_format');
  query.delete('_pretty');
  return query;
}

/** Search parameters from the URL and, for `POST …/_search`, the form body (both count). */
function searchParams(req: FhirRequest): URLSearchParams {
  const params = new URLSearchParams(req.query);
  for (const [k, v] of req.form ?? []) params.append(k, v);
  return params;
}

function searchRequest(req: FhirRequest, scope: Omit<SearchRequest, 'params' | 'strict'>): SearchRequest {
  if (req.method === 'POST' && req.body !== undefined) {
    throw new FhirError(415, 'POST _search takes application/x-www-form-urlencoded parameters', {
      code: 'not-supported',
    });
  }
  return { ...scope, params: searchParams(req), strict: req.lenient !== true };
}

const requirePatch = (req: FhirRequest): PatchDocument =>
  req.patch ?? { kind: 'fhirpath', parameters: req.body };

/**
 * Every REST interaction the server implements. The dispatcher routes by it and the
 * CapabilityStatement is generated from it, so /metadata cannot claim what is not here.
 * System-level routes that need more than the store (batch/transaction, metadata) are added
 * by the composition root.
 */
export const resourceRoutes: Route[] = [
  {
    method: 'GET',
    pattern: ['type', 'id'],
    interaction: 'read',
    level: 'instance',
    handle: (ctx, req, m) => read(ctx, m.resourceType, m.id, req.pre),
  },
  {
    method: 'HEAD',
    pattern: ['type', 'id'],
    interaction: 'read',
    level: 'instance',
    handle: (ctx, req, m) => read(ctx, m.resourceType, m.id, req.pre),
  },
  {
    method: 'GET',
    pattern: ['type', 'id', '_history', 'vid'],
    interaction: 'vread',
    level: 'instance',
    handle: (ctx, req, m) => vread(ctx, m.resourceType, m.id, m.vid, req.pre),
  },
  {
    method: 'HEAD',
    pattern: ['type', 'id', '_history', 'vid'],
    interaction: 'vread',
    level: 'instance',
    handle: (ctx, req, m) => vread(ctx, m.resourceType, m.id, m.vid, req.pre),
  },
  {
    method: 'PUT',
    pattern: ['type', 'id'],
    interaction: 'update',
    level: 'instance',
    handle: (ctx, req, m) => update(ctx, m.resourceType, m.id, req.body, req.pre, req.serverAssignedId),
  },
  {
    method: 'PATCH',
    pattern: ['type', 'id'],
    interaction: 'patch',
    level: 'instance',
    handle: (ctx, req, m) => patch(ctx, m.resourceType, m.id, requirePatch(req), req.pre),
  },
  {
    method: 'DELETE',
    pattern: ['type', 'id'],
    interaction: 'delete',
    level: 'instance',
    handle: (ctx, req, m) => remove(ctx, m.resourceType, m.id, req.pre),
  },
  {
    method: 'GET',
    pattern: ['type', 'id', '_history'],
    interaction: 'history-instance',
    level: 'instance',
    handle: (ctx, req, m) => history(ctx, { resourceType: m.resourceType, id: m.id }, req.query),
  },
  {
    method: 'POST',
    pattern: ['type'],
    interaction: 'create',
    level: 'type',
    handle: (ctx, req, m) => create(ctx, m.resourceType, req.body, req.pre),
  },
  {
    method: 'GET',
    pattern: ['type'],
    interaction: 'search-type',
    level: 'type',
    handle: (ctx, req, m) => search(ctx, searchRequest(req, { resourceType: m.resourceType })),
  },
  {
    method: 'POST',
    pattern: ['type', '_search'],
    interaction: 'search-type',
    level: 'type',
    form: true,
    handle: (ctx, req, m) => search(ctx, searchRequest(req, { resourceType: m.resourceType })),
  },
  {
    method: 'GET',
    pattern: [],
    interaction: 'search-system',
    level: 'system',
    handle: (ctx, req) => search(ctx, searchRequest(req, {})),
  },
  {
    method: 'POST',
    pattern: ['_search'],
    interaction: 'search-system',
    level: 'system',
    form: true,
    handle: (ctx, req) => search(ctx, searchRequest(req, {})),
  },
  {
    method: 'GET',
    pattern: ['type', 'id', 'target'],
    // Not an R4 interaction code; the CapabilityStatement lists the compartment instead.
    interaction: [],
    level: 'instance',
    handle: (ctx, req, m) =>
      search(
        ctx,
        searchRequest(req, {
          resourceType: m.target === '*' ? undefined : m.target,
          compartment: { resourceType: m.resourceType, id: m.id },
        }),
      ),
  },
  {
    method: 'PUT',
    pattern: ['type'],
    interaction: 'update',
    level: 'type',
    handle: (ctx, req, m) => conditionalUpdate(ctx, m.resourceType, req.query.toString(), req.body, req.pre),
  },
  {
    method: 'DELETE',
    pattern: ['type'],
    interaction: 'delete',
    level: 'type',
    handle: (ctx, req, m) => conditionalRemove(ctx, m.resourceType, req.query.toString(), req.pre),
  },
  {
    method: 'PATCH',
    pattern: ['type'],
    interaction: 'patch',
    level: 'type',
    handle: (ctx, req, m) =>
      conditionalPatch(ctx, m.resourceType, req.query.toString(), requirePatch(req), req.pre),
  },
  {
    method: 'GET',
    pattern: ['type', '_history'],
    interaction: 'history-type',
    level: 'type',
    handle: (ctx, req, m) => history(ctx, { resourceType: m.resourceType }, req.query),
  },
  {
    method: 'GET',
    pattern: ['_history'],
    interaction: 'history-system',
    level: 'system',
    handle: (ctx, req) => history(ctx, {}, req.query),
  },
  {
    method: 'POST',
    pattern: ['type', '$validate'],
    interaction: '$validate',
    level: 'type',
    handle: (ctx, req, m) => validateOperation(ctx, m.resourceType, undefined, req.body, req.query),
  },
  {
    method: 'POST',
    pattern: ['type', 'id', '$validate'],
    interaction: '$validate',
    level: 'instance',
    handle: (ctx, req, m) => validateOperation(ctx, m.resourceType, m.id, req.body, req.query),
  },
  {
    method: 'GET',
    pattern: ['type', 'id', '$validate'],
    interaction: '$validate',
    level: 'instance',
    handle: (ctx, req, m) => validateOperation(ctx, m.resourceType, m.id, undefined, req.query),
  },
  {
    method: 'GET',
    pattern: ['type', 'id', '$everything'],
    types: ['Patient'],
    interaction: '$everything',
    level: 'instance',
    handle: (ctx, req, m) => everything(ctx, m.id, req.query),
  },
];
