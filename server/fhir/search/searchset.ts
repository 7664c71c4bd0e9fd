import { parseFhirJson } from '../format/json.ts';
import type { SearchRow } from '../storage/search-queries.ts';
import type { Resource } from '../storage/types.ts';
import type { SearchPlan } from './engine.ts';
import type { SearchPage } from './execute.ts';
import { applyElements, applySummary } from './shape.ts';

/** Builds the `searchset` Bundle of one page. */
export function searchsetBundle(
  plan: SearchPlan,
  page: SearchPage,
  links: { self: string; next?: string; previous?: string },
  baseUrl: string,
): Resource {
  const { summary, elements } = plan.result;
  const shape = (row: SearchRow): Resource => {
    const resource = parseFhirJson(row.content!) as Resource;
    if (summary === 'true' || summary === 'text' || summary === 'data')
      return applySummary(resource, summary);
    if (elements) return applyElements(resource, elements);
    return resource;
  };
  const entry = (row: SearchRow, mode: 'match' | 'include') => ({
    fullUrl: `${baseUrl}/${row.resourceType}/${row.id}`,
    resource: shape(row),
    search: { mode },
  });
  const warnings = [
    ...plan.ignored.map((i) => i.reason),
    ...(page.includesTruncated ? ['Included resources were cut off at the server limit'] : []),
  ];
  const link = [{ relation: 'self', url: links.self }];
  if (links.previous) link.push({ relation: 'previous', url: links.previous });
  if (links.next) link.push({ relation: 'next', url: links.next });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(page.total === undefined ? {} : { total: page.total }),
    link,
    entry: [
      ...page.matches.map((r) => entry(r, 'match')),
      ...page.included.map((r) => entry(r, 'include')),
      ...(warnings.length
        ? [
            {
              resource: {
                resourceType: 'OperationOutcome',
                issue: warnings.map((diagnostics) => ({
                  severity: 'warning',
                  code: 'not-supported',
                  diagnostics,
                })),
              },
              search: { mode: 'outcome' },
            },
          ]
        : []),
    ],
  };
}
