import { loadCurrent } from '../../fhir/rest/read.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { orderedByHospital } from './ordered-by-hospital.ts';
import { runView } from './run-view.ts';
import { readViewQuery } from './view-request.ts';
import { labFlag, monthsAgo, startOf } from './view-values.ts';
import { LAB_INCLUDES } from './views.ts';
import type { Json } from './json.ts';

const TOKEN = /^[^|\s]{1,256}\|[^|\s]{1,256}$/;
const SERIES_LIMIT = 500;

/**
 * `GET Patient/[id]/$portal-lab-series?code=<system>|<code>`: one laboratory test's results of
 * the last twelve months, oldest first, as the seed's chart shows them ("bij toon grafiek worden
 * enkel uitslagen in de afgelopen 12 maanden getoond"): values, units and reference ranges are in
 * each Observation, the low/high flag in its entry. Only what the hospital ordered and approved.
 */
export async function labSeries(
  ctx: RestContext,
  patient: string,
  query: URLSearchParams,
): Promise<FhirResult> {
  const q = readViewQuery(ctx, '$portal-lab-series', query, ['code']);
  const code = q.value('code');
  if (!code || !TOKEN.test(code)) {
    refuse(ctx.language, 400, code ? 'value' : 'required', {
      en: '$portal-lab-series needs code=<system>|<code> of one laboratory test (e.g. http://loinc.org|718-7)',
      nl: '$portal-lab-series vraagt code=<systeem>|<code> van één laboratoriumtest (bijv. http://loinc.org|718-7)',
    });
  }
  await loadCurrent(ctx, 'Patient', patient);
  const now = new Date();
  const from = monthsAgo(now, 12);
  const view = {
    queries: [
      {
        type: 'Observation',
        params: (): [string, string][] => [
          ['code', code],
          ['date', `ge${from}`],
          ['_sort', '-date'],
          ...LAB_INCLUDES,
        ],
      },
    ],
    // The date search matches overlaps; the chart takes what was measured in the window.
    keep: (r: Json, c: { included: Map<string, Json> }) => {
      const at = Date.parse(startOf(r) ?? '');
      return at >= Date.parse(from) && at <= now.getTime() && orderedByHospital(r, c.included);
    },
    classify: labFlag,
    // Read newest first, so a series longer than the limit loses its oldest values, not its newest.
    ascending: true,
  };
  return runView(ctx, view, {
    patient,
    hospital: q.hospital,
    now,
    limit: q.count ?? Math.min(SERIES_LIMIT, ctx.limits.maxSearchCount - 1),
    self: `Patient/${encodeURIComponent(patient)}/$portal-lab-series?${query.toString()}`,
  });
}
