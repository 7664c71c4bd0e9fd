import { CUSTODIAN_SYSTEM } from '../../access/rules/treatment-relationship.ts';
import { parseFhirJson } from '../../fhir/format/json.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { executeSearch } from '../../fhir/search/execute.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { say } from '../language.ts';
import { approvalCheck, approvedParams } from './approved.ts';
import { custodianOf } from '../../access/rules/treatment-relationship.ts';
import type { View, ViewContext, ViewQuery } from './views.ts';
import type { Json } from './json.ts';

export const CLASSIFICATION_URL = 'https://zorgpoort.nl/fhir/StructureDefinition/portal-classification';

export interface ViewRequest {
  /** The patient whose record is read (views of scope `patient`). */
  patient?: string;
  /** `Organization/<id>`: only the rows that hospital holds (its custodian tag). */
  hospital?: string;
  now: Date;
  /** At most this many matches per query. */
  limit: number;
  /** The operation's own URL, for the Bundle's `self` link. */
  self: string;
}

/** Every `reference` a resource makes, anywhere in it (`Type/id` only: what includes follow). */
function referencesIn(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) referencesIn(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') into.add(v);
      else referencesIn(v, into);
    }
  }
}

/**
 * Runs a view's searches as the caller (`ctx.store`: the gate is in every statement, includes
 * too), adds the patient, the approval criterion and the hospital to each, and answers one
 * `searchset` Bundle: the matches that pass the view's rules in memory as well, each with its
 * classification, and of the included rows only those a kept match refers to (directly or
 * through another kept include), so a row the view leaves out brings nothing along.
 */
export async function runView(
  ctx: RestContext,
  view: Pick<View, 'queries' | 'keep' | 'classify' | 'ascending'>,
  request: ViewRequest,
): Promise<FhirResult> {
  const matches: Json[] = [];
  const included = new Map<string, Json>();
  let truncated = false;
  for (const query of view.queries) {
    const page = await runQuery(ctx, query, request);
    truncated ||= page.matches.length > request.limit;
    matches.push(...page.matches.slice(0, request.limit));
    for (const row of page.included) included.set(`${row.resourceType}/${row.id}`, row);
  }
  const approved = approvalCheck(ctx.search);
  const hospital = request.hospital?.slice('Organization/'.length);
  const record = ctx.search.compartmentMembers('Patient') ?? new Set<string>();
  // Included rows pass the same approval and hospital as the matches (the Patient itself is
  // every hospital's, and the directory no one's record).
  for (const [ref, row] of included) {
    const holder = custodianOf(row as Resource);
    const otherHospital =
      hospital && record.has(row.resourceType as string) && holder !== undefined && holder !== hospital;
    if (!approved(row) || otherHospital) included.delete(ref);
  }
  const context: ViewContext = { now: request.now, included };
  const kept = matches.filter(
    (r) =>
      approved(r) &&
      (!hospital || custodianOf(r as Resource) === hospital) &&
      (!view.keep || view.keep(r, context)),
  );
  if (view.ascending) kept.reverse();
  const keptRefs = new Set<string>();
  referencesIn(kept, keptRefs);
  const shownIncludes: Json[] = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const [ref, row] of included) {
      if (!keptRefs.has(ref) || shownIncludes.includes(row)) continue;
      shownIncludes.push(row);
      referencesIn(row, keptRefs);
      grew = true;
    }
  }
  const entry = (r: Json, mode: 'match' | 'include') => {
    const code = mode === 'match' ? view.classify?.(r, context) : undefined;
    return {
      fullUrl: `${ctx.baseUrl}/${r.resourceType as string}/${r.id as string}`,
      resource: r,
      search: {
        ...(code ? { extension: [{ url: CLASSIFICATION_URL, valueCoding: code }] } : {}),
        mode,
      },
    };
  };
  const bundle: Resource = {
    resourceType: 'Bundle',
    type: 'searchset',
    total: kept.length,
    link: [{ relation: 'self', url: `${ctx.baseUrl}/${request.self}` }],
    entry: [
      ...kept.map((r) => entry(r, 'match')),
      ...shownIncludes.map((r) => entry(r, 'include')),
      ...(truncated
        ? [
            {
              resource: {
                resourceType: 'OperationOutcome',
                issue: [
                  {
                    severity: 'warning',
                    code: 'too-costly',
                    diagnostics: say(ctx.language, {
                      en: `Only ${request.limit} of each kind are shown (the newest, where the screen is by date); ask for more with _count (at most ${ctx.limits.maxSearchCount - 1})`,
                      nl: `Er worden er maar ${request.limit} van elke soort getoond (de nieuwste, waar het scherm op datum staat); vraag er meer met _count (hoogstens ${ctx.limits.maxSearchCount - 1})`,
                    }),
                  },
                ],
              },
              search: { mode: 'outcome' },
            },
          ]
        : []),
    ],
  };
  return { status: 200, headers: {}, resource: bundle };
}

async function runQuery(ctx: RestContext, query: ViewQuery, request: ViewRequest) {
  // The answer is a search of this type: the caller's app needs the scope for that too.
  ctx.store.assertAllowed('search-type', false, query.type);
  const params = query.params(request.now);
  // A view that states its own status keeps it (it must be within the approved ones).
  const stated = new Set(params.map(([k]) => k));
  for (const approved of approvedParams(query.type)) {
    if (!stated.has(approved[0])) params.push(approved);
  }
  // First: past eight joins Postgres keeps the written order, and the patient is the narrowest.
  if (request.patient) params.unshift(['patient', `Patient/${request.patient}`]);
  if (request.hospital) {
    params.push(['_tag', `${CUSTODIAN_SYSTEM}|${request.hospital.slice('Organization/'.length)}`]);
  }
  // One more than asked, to tell whether there were more.
  params.push(['_count', String(request.limit + 1)]);
  const plan = ctx.search.plan({
    resourceType: query.type,
    params,
    strict: true,
    baseUrl: ctx.baseUrl,
    limits: ctx.limits,
  });
  const page = await executeSearch(ctx.store.search, ctx.search.registry, plan, {
    maxIncludes: ctx.limits.maxIncludes,
  });
  const parse = (rows: { content?: string | null }[]) =>
    rows.flatMap((row) => (row.content ? [parseFhirJson(row.content) as Json] : []));
  return { matches: parse(page.matches), included: parse(page.included) };
}
