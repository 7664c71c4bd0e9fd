import { resourcesIn } from '../../audit/audit-trail.ts';
import { didYouMean } from '../did-you-mean.ts';
import { FhirError } from '../errors.ts';
import { isResourceType, resourceTypes } from '../model/type-info.ts';
import { validateId } from '../validation/index.ts';
import type { FhirRequest, Matched, Route } from './routes.ts';
import type { Resource } from '../storage/types.ts';
import type { FhirResult, RestContext } from './types.ts';

type Match = { route: Route; matched: Matched } | { methodNotAllowed: string[] };

const isNamed = (segment: string) => !segment.startsWith('_') && !segment.startsWith('$');

/** 404 for a path segment that should be a resource type, naming the closest one. */
export function unknownResourceType(name: string): FhirError {
  return new FhirError(404, `Unknown resource type '${name}'${didYouMean(name, resourceTypes)}`, {
    code: 'not-supported',
  });
}

function matchPath(route: Route, path: string[]): Matched | undefined {
  if (route.pattern.length !== path.length) return undefined;
  if (route.types && !route.types.includes(path[0]!)) return undefined;
  const m: Matched = { resourceType: '', id: '', vid: '' };
  for (let i = 0; i < path.length; i++) {
    const seg = route.pattern[i]!;
    const value = path[i]!;
    if (seg === 'type') {
      if (value.startsWith('_') || value.startsWith('$') || value === 'metadata') return undefined;
      m.resourceType = value;
    } else if (seg === 'id') {
      if (value.startsWith('_') || value.startsWith('$')) return undefined;
      m.id = value;
    } else if (seg === 'target') {
      if (value !== '*' && !isResourceType(value)) return undefined;
      m.target = value;
    } else if (seg === 'vid') {
      m.vid = value;
    } else if (seg !== value) {
      return undefined;
    }
  }
  return m;
}

function find(routes: Route[], req: FhirRequest): Match | undefined {
  const allowed: string[] = [];
  let general: Match | undefined;
  for (const route of routes) {
    const matched = matchPath(route, req.path);
    if (!matched) continue;
    if (route.method !== req.method) {
      allowed.push(route.method);
    } else if (route.claims) {
      if (route.claims(req)) return { route, matched };
    } else {
      general ??= { route, matched };
    }
  }
  if (general) return general;
  return allowed.length ? { methodNotAllowed: [...new Set(allowed)] } : undefined;
}

/** Routes one request: the same path for HTTP requests and Bundle entries. */
export function createDispatcher(routes: Route[]) {
  return async function dispatch(ctx: RestContext, req: FhirRequest): Promise<FhirResult> {
    const found = find(routes, req);
    if (!found) {
      const [first, , third] = req.path;
      if (first && isNamed(first) && !isResourceType(first)) throw unknownResourceType(first);
      // Type/id/X where X is no `_history` or `$operation`: only a compartment's type fits there.
      if (first && isResourceType(first) && req.path.length === 3 && isNamed(third!)) {
        throw unknownResourceType(third!);
      }
      throw new FhirError(404, `No FHIR interaction at '/${req.path.join('/')}'`, { code: 'not-supported' });
    }
    if ('methodNotAllowed' in found) {
      throw new FhirError(405, `${req.method} is not allowed on '/${req.path.join('/')}'`, {
        code: 'not-supported',
        headers: { Allow: found.methodNotAllowed.join(', ') },
      });
    }
    const { route, matched } = found;
    if (req.form && !route.form) {
      throw new FhirError(415, 'A form body is only accepted by POST [type]/_search', {
        code: 'not-supported',
      });
    }
    if (matched.resourceType && !isResourceType(matched.resourceType)) {
      throw unknownResourceType(matched.resourceType);
    }
    if (matched.id && !validateId(matched.id)) {
      throw new FhirError(400, `'${matched.id}' is not a valid resource id (1-64 of A-Z a-z 0-9 - .)`, {
        code: 'invalid',
      });
    }
    // Conditional PUT/PATCH/DELETE on a type: without criteria they would hit every resource.
    const typeLevel = route.pattern.length === 1 && route.pattern[0] === 'type';
    if (typeLevel && req.method !== 'GET' && req.method !== 'POST' && !hasQuery(req)) {
      throw new FhirError(400, `${req.method} on '${matched.resourceType}' needs an id or search criteria`, {
        code: 'invalid',
      });
    }
    // Scopes (SMART letters) are checked per interaction here, so every Bundle entry is too.
    const compartmentSearch = route.pattern.includes('target');
    const type = compartmentSearch
      ? matched.target === '*'
        ? undefined
        : matched.target
      : matched.resourceType;
    const interaction = interactionOf(route.interaction, req, compartmentSearch, type);
    const query = [req.query, req.form].filter((q) => q && q.size).join('&');
    const recorded = {
      interaction: interaction ?? '',
      ...(type ? { resourceType: type } : {}),
      // A compartment search's id is the compartment's (its patient is recorded as disclosed).
      ...(matched.id && !compartmentSearch ? { id: matched.id } : {}),
      ...(query ? { query } : {}),
    };
    try {
      ctx.store.assertAllowed(route.interaction, compartmentSearch, type || undefined);
      const result = await route.handle(ctx, req, matched);
      // A change is logged by the store, in the transaction that makes it.
      if (ctx.audit && interaction && !CHANGES.has(interaction)) {
        const resources = BUNDLES.has(interaction) ? [] : resultResources(result);
        ctx.audit.record({ ...recorded, status: result.status, resources });
      }
      return result;
    } catch (err) {
      if (interaction) {
        ctx.audit?.record({
          ...recorded,
          status: err instanceof FhirError ? err.status : 500,
          failure: err instanceof Error ? err.message : String(err),
          resources: [],
        });
      }
      throw err;
    }
  };
}

const CHANGES: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'delete']);
/** A Bundle's entries are logged each on their own (dispatched, or by the store). */
const BUNDLES: ReadonlySet<string> = new Set(['transaction', 'batch']);

/** The interaction a route serves; a Bundle POST is its Bundle's type. Discovery is not recorded. */
function interactionOf(
  interaction: string | string[],
  req: FhirRequest,
  compartmentSearch: boolean,
  type: string | undefined,
): string | undefined {
  if (compartmentSearch) return type ? 'search-type' : 'search-system';
  if (typeof interaction === 'string') return interaction;
  if (interaction.length === 0) return undefined;
  const bundleType = (req.body as { type?: unknown } | undefined)?.type;
  return typeof bundleType === 'string' && interaction.includes(bundleType) ? bundleType : interaction[0];
}

/** What the answer holds, for the access log: the resource, or each resource in a Bundle. */
function resultResources(result: FhirResult): Resource[] {
  const answer = result.resource ?? (result.json ? (JSON.parse(result.json) as Resource) : undefined);
  return resourcesIn(answer);
}

function hasQuery(req: FhirRequest): boolean {
  return req.query.size > 0;
}

export type Dispatch = ReturnType<typeof createDispatcher>;
