import { parseCount, single } from '../../fhir/rest/params.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';

const HOSPITAL = /^Organization\/[A-Za-z0-9\-.]{1,64}$/;
export const DEFAULT_LIMIT = 100;

/**
 * The query of a portal view operation, strictly: only the names it takes, each once, the
 * hospital as `Organization/<id>`, `_count` within the server's page size.
 */
export function readViewQuery(
  ctx: RestContext,
  operation: string,
  query: URLSearchParams,
  accepted: string[],
) {
  const names = new Set([...accepted, 'hospital', '_count']);
  for (const name of query.keys()) {
    if (!names.has(name)) {
      refuse(ctx.language, 400, 'not-supported', {
        en: `${operation}: parameter '${name}' is not supported (use ${[...names].join(', ')})`,
        nl: `${operation}: parameter '${name}' wordt niet ondersteund (gebruik ${[...names].join(', ')})`,
      });
    }
  }
  const hospital = single(query, 'hospital') ?? undefined;
  if (hospital !== undefined && !HOSPITAL.test(hospital)) {
    refuse(ctx.language, 400, 'value', {
      en: `${operation}: hospital must be Organization/<id>, not '${hospital}'`,
      nl: `${operation}: hospital moet Organization/<id> zijn, niet '${hospital}'`,
    });
  }
  // One row more than the limit is read to tell whether there were more: keep within a page.
  const given = single(query, '_count');
  const count =
    given === null ? undefined : Math.max(1, parseCount(given, DEFAULT_LIMIT, ctx.limits.maxSearchCount - 1));
  return {
    hospital,
    /** `_count` as asked, if it was. */
    count,
    limit: count ?? DEFAULT_LIMIT,
    value: (name: string) => single(query, name) ?? undefined,
  };
}
