import { executeSearch } from '../../fhir/search/execute.ts';
import { parseFhirJson } from '../../fhir/format/json.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { say } from '../language.ts';
import { breakTheGlassOffers } from './break-the-glass-offer.ts';
import { portalCondition } from './search-condition.ts';
import { readCriteria } from './search-criteria.ts';

export const PORTAL_SEARCH_OPERATION = 'https://zorgpoort.nl/fhir/OperationDefinition/Patient-portal-search';

/**
 * `GET|POST Patient/$portal-search`: the portal's "Patiënt zoeken" (seed 002, 2.1.1). The
 * criteria (search-criteria.ts) become one condition (search-condition.ts) that runs as the
 * caller, through the gate: only patients they may see come back, as a `searchset` of Patients
 * (sorted by surname, then birth date). A caller who may break the glass also gets, for patients
 * that match but are hidden from them, an offer without any of their data
 * (break-the-glass-offer.ts). The disclosures are logged from the answer, as for any search.
 */
export async function portalSearch(ctx: RestContext, req: FhirRequest): Promise<FhirResult> {
  const criteria = readCriteria(req, ctx.language);
  const condition = portalCondition(ctx.search, criteria, ctx.baseUrl);
  const plan = ctx.search.plan({
    resourceType: 'Patient',
    params: [
      ['_count', String(criteria.count)],
      ['_sort', 'family,birthdate'],
    ],
    strict: true,
    baseUrl: ctx.baseUrl,
    limits: { ...ctx.limits, maxSearchCount: Math.max(ctx.limits.maxSearchCount, criteria.count) },
  });
  const page = await executeSearch(
    ctx.store.search,
    ctx.search.registry,
    { ...plan, types: [{ resourceType: 'Patient', condition }] },
    { maxIncludes: 0 },
  );
  const matches = page.matches.filter((row) => row.content);
  const offers = await breakTheGlassOffers(ctx, condition);
  const more = page.next
    ? [
        {
          resource: {
            resourceType: 'OperationOutcome',
            issue: [
              {
                severity: 'information',
                code: 'too-costly',
                diagnostics: say(ctx.language, {
                  en: `More than ${criteria.count} patients match: give more criteria to narrow the search`,
                  nl: `Meer dan ${criteria.count} patiënten gevonden: vul meer gegevens in om de zoekopdracht te verfijnen`,
                }),
              },
            ],
          },
          search: { mode: 'outcome' },
        },
      ]
    : [];
  return {
    status: 200,
    headers: {},
    resource: {
      resourceType: 'Bundle',
      type: 'searchset',
      ...(page.next ? {} : { total: matches.length }),
      link: [{ relation: 'self', url: `${ctx.baseUrl}/Patient/$portal-search` }],
      entry: [
        ...matches.map((row) => ({
          fullUrl: `${ctx.baseUrl}/Patient/${row.id}`,
          resource: parseFhirJson(row.content!) as Resource,
          search: { mode: 'match' },
        })),
        ...offers,
        ...more,
      ],
    } as Resource,
  };
}
