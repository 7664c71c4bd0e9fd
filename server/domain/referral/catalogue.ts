import { parseFhirJson } from '../../fhir/format/json.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { SearchPlan } from '../../fhir/search/engine.ts';
import { executeSearch } from '../../fhir/search/execute.ts';
import type { SearchRow } from '../../fhir/storage/search-queries.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { say } from '../language.ts';
import { catalogueCondition } from './catalogue-condition.ts';
import { offeringOf } from './catalogue-offering.ts';
import { readCatalogueRequest } from './catalogue-request.ts';

export const CATALOGUE_OPERATION =
  'https://zorgpoort.nl/fhir/OperationDefinition/HealthcareService-catalogue';

type Json = Record<string, unknown>;

/** A search plan of `resourceType` for up to `count` rows. */
const planFor = (ctx: RestContext, resourceType: string, params: [string, string][], count: number) =>
  ctx.search.plan({
    resourceType,
    params: [['_count', String(count)], ...params],
    strict: true,
    baseUrl: ctx.baseUrl,
    limits: { ...ctx.limits, maxSearchCount: Math.max(ctx.limits.maxSearchCount, count) },
  });

/** The plan run as the caller: the gate adds their criteria to the same statements. */
const run = (ctx: RestContext, plan: SearchPlan) =>
  executeSearch(ctx.store.search, ctx.search.registry, plan, { maxIncludes: ctx.limits.maxIncludes });

/** A value for a search parameter, with FHIR's search escapes. */
const escape = (value: string) => value.replace(/[\\,$|]/g, (c) => `\\${c}`);
const parsed = (row: SearchRow) => parseFhirJson(row.content!) as Json;
const collator = new Intl.Collator('nl', { sensitivity: 'base', numeric: true });

/**
 * `GET|POST HealthcareService/$catalogue`: the care catalogue a referrer browses (seed 003,
 * "zorgvraagmenu" and "zorgaanbodscherm"): the active offerings that answer the care question
 * and ICPC code and are for the patient's age and gender, unless the filters are off, found by
 * free text; as a searchset of HealthcareServices (match) with their provider Organization,
 * Locations and Questionnaire (include), ordered by provider name, then offering name. The
 * filtering is one SQL statement (catalogue-condition.ts); at most `_count` offerings come back,
 * the first by offering name, with an outcome entry when more match.
 */
export async function catalogue(ctx: RestContext, req: FhirRequest): Promise<FhirResult> {
  const request = await readCatalogueRequest(ctx, req);
  const condition = catalogueCondition(ctx.search, request, ctx.baseUrl);
  const plan = planFor(
    ctx,
    'HealthcareService',
    [
      ['_sort', 'name'],
      ['_include', 'HealthcareService:organization'],
      ['_include', 'HealthcareService:location'],
    ],
    request.count,
  );
  const page = await run(ctx, { ...plan, types: [{ resourceType: 'HealthcareService', condition }] });
  const matches = page.matches.filter((r) => r.content).map(parsed);
  const included = page.included.filter((r) => r.content).map(parsed);
  // The offerings' questionnaires, by url (offering-questionnaire names it without a version).
  const urls = [...new Set(matches.flatMap((m) => offeringOf(m).questionnaire ?? []))];
  const questionnaires = urls.length
    ? (await run(ctx, planFor(ctx, 'Questionnaire', [['url', urls.map(escape).join(',')]], 1000))).matches
        .filter((r) => r.content)
        .map(parsed)
    : [];
  const providerName = new Map(
    included
      .filter((r) => r.resourceType === 'Organization')
      .map((o) => [`Organization/${String(o.id)}`, String(o.name ?? '')]),
  );
  const nameOf = (m: Json) =>
    providerName.get(String((m.providedBy as { reference?: string })?.reference)) ?? '';
  matches.sort(
    (a, b) =>
      collator.compare(nameOf(a), nameOf(b)) || collator.compare(String(a.name ?? ''), String(b.name ?? '')),
  );
  const entry = (resource: Json, mode: 'match' | 'include') => ({
    fullUrl: `${ctx.baseUrl}/${String(resource.resourceType)}/${String(resource.id)}`,
    resource: resource as Resource,
    search: { mode },
  });
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
                  en: `More than ${request.count} offerings match: choose a care question, or search with more words`,
                  nl: `Meer dan ${request.count} zorgproducten gevonden: kies een zorgvraag of zoek met meer woorden`,
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
      link: [{ relation: 'self', url: `${ctx.baseUrl}/HealthcareService/$catalogue` }],
      entry: [
        ...matches.map((m) => entry(m, 'match')),
        ...included.map((r) => entry(r, 'include')),
        ...questionnaires.map((q) => entry(q, 'include')),
        ...more,
      ],
    } as Resource,
  };
}
