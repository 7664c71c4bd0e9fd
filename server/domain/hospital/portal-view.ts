import { loadCurrent } from '../../fhir/rest/read.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { runView } from './run-view.ts';
import { readViewQuery } from './view-request.ts';
import { VIEWS, VIEW_BY_CODE } from './views.ts';

/**
 * `GET Patient/[id]/$portal-view?view=<code>` (one patient's screen) and
 * `GET Patient/$portal-view?view=inpatients|er-visits` (the lists across the caller's patients):
 * the searches of views.ts as the caller, through the gate. A patient the caller may not see is
 * answered as a missing one (404, with the break-the-glass hint for those who may use it).
 */
export async function portalView(
  ctx: RestContext,
  query: URLSearchParams,
  patient?: string,
): Promise<FhirResult> {
  const q = readViewQuery(ctx, '$portal-view', query, ['view']);
  const scope = patient ? 'patient' : 'list';
  const codes = VIEWS.filter((v) => v.scope === scope).map((v) => v.code);
  const code = q.value('view');
  const view = code ? VIEW_BY_CODE.get(code) : undefined;
  if (!view || view.scope !== scope) {
    refuse(ctx.language, 400, code ? 'value' : 'required', {
      en: `${patient ? 'Patient/[id]' : 'Patient'}/$portal-view needs view= one of: ${codes.join(', ')}`,
      nl: `${patient ? 'Patient/[id]' : 'Patient'}/$portal-view vraagt view= een van: ${codes.join(', ')}`,
    });
  }
  if (patient) await loadCurrent(ctx, 'Patient', patient);
  const self = `${patient ? `Patient/${encodeURIComponent(patient)}` : 'Patient'}/$portal-view?${query.toString()}`;
  const limit = q.count ?? view.limit ?? q.limit;
  return runView(ctx, view, { patient, hospital: q.hospital, now: new Date(), limit, self });
}
