import { and } from '../fhir/search/conditions.ts';
import type { Condition } from '../fhir/search/types.ts';
import type {
  PageQuery,
  SearchQueries,
  SearchScope,
  SearchStatements,
} from '../fhir/storage/search-queries.ts';
import type { AccessPolicy } from './policy.ts';
import { restrictCondition, restrictInside } from './restrict-plan.ts';

/** The access log's type: searchable once projected. */
const LOG = 'AuditEvent';

/** The search statements, with the caller's criteria in every one of them. */
export type AuthorizedSearch = SearchStatements;

/** Rows of a type the caller never sees are left out (as a condition, so paging holds). */
function notHidden(access: AccessPolicy): Condition | undefined {
  if (!access.hiddenTypes?.size) return undefined;
  return {
    kind: 'not',
    arg: {
      kind: 'resource',
      column: 'type',
      where: [{ op: 'in', column: 'type', values: [...access.hiddenTypes] }],
    },
  };
}

function restrictScope<T extends SearchScope>(access: AccessPolicy, scope: T): T {
  const hidden = notHidden(access);
  if (!access.restricted && !hidden) return scope;
  return {
    ...scope,
    types: scope.types.map((t) => ({
      ...t,
      condition: t.resourceType
        ? restrictCondition(access, t.resourceType, t.condition)
        : and([
            ...(access.restricted ? [access.anyTypeCondition] : []),
            restrictInside(access, t.condition),
            ...(hidden ? [hidden] : []),
          ]),
    })),
  };
}

/** Whether a search over these types may find AuditEvents (no type: any type). */
const findsLog = (scope: SearchScope) => scope.types.some((t) => !t.resourceType || t.resourceType === LOG);

export function authorizedSearch(
  queries: SearchQueries,
  access: AccessPolicy,
  settleLog: (needed: boolean) => Promise<void>,
): AuthorizedSearch {
  const hidden = notHidden(access);
  const filter = (given: Condition | undefined) => {
    const parts = [
      ...(access.restricted ? [access.anyTypeCondition] : []),
      ...(hidden ? [hidden] : []),
      ...(given ? [given] : []),
    ];
    return parts.length ? and(parts) : undefined;
  };
  return {
    page: async (q: PageQuery) => {
      await settleLog(findsLog(q));
      return queries.page(restrictScope(access, q));
    },
    count: async (scope) => {
      await settleLog(findsLog(scope));
      return queries.count(restrictScope(access, scope));
    },
    estimate: async (scope) => {
      await settleLog(findsLog(scope));
      return queries.estimate(restrictScope(access, scope));
    },
    maxRid: () => queries.maxRid(),
    referencedBy: (rids, params, targetType, given, limit) =>
      settleLog(!targetType || targetType === LOG).then(() =>
        queries.referencedBy(rids, params, targetType, filter(given), limit),
      ),
    referring: (targets, params, given, limit) =>
      // Index parameters are named `<Type>.<code>`: only the log's own can bring in its events.
      settleLog(params.some((p) => p.startsWith(`${LOG}.`))).then(() =>
        queries.referring(targets, params, filter(given), limit),
      ),
  };
}
