import { processBundle } from '../../fhir/bundle/process-bundle.ts';
import { entryResponse } from '../../fhir/bundle/entry-response.ts';
import type { BundleEntry } from '../../fhir/bundle/entry-request.ts';
import type { Dispatch } from '../../fhir/rest/dispatch.ts';
import { requireResource } from '../../fhir/rest/incoming.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { locationHeaders } from '../../fhir/rest/versioning.ts';
import { refuse } from '../language.ts';
import { acknowledgement } from './correction-acknowledgement.ts';
import { displayName } from './correction-parties.ts';
import { checkCorrectionRequest } from './correction-request.ts';
import { correctionTask } from './correction-task.ts';

type Json = Record<string, unknown>;

export interface CorrectionTransactionDeps {
  dispatch: Dispatch;
  clock: () => Date;
}

/**
 * `POST [base]` with a correction request (MedMij PatientCorrections 1.0): checked
 * (checkCorrectionRequest), then the normal transaction as the patient — their gate, their
 * scopes, their access log — and in the same database transaction the practice's Task per
 * request, written by the server on the patient's behalf (the app needs no right to write
 * Tasks, and the patient none to change one: $correction-status is the practice's). The
 * `transaction-response` has the request's entries in order, then the Tasks, then the
 * acknowledgement of receipt (one OperationOutcome).
 */
export function correctionTransaction(deps: CorrectionTransactionDeps) {
  return async (ctx: RestContext, req: FhirRequest): Promise<FhirResult> => {
    const bundle = req.body as Json & { entry: unknown[] };
    const prefer = { representation: req.representation === true, lenient: req.lenient === true };
    if (bundle.type !== 'transaction') {
      refuse(ctx.language, 400, 'invalid', {
        en: 'A correction request is sent as a transaction Bundle (all of it or nothing), not as a batch',
        nl: 'Een correctieverzoek gaat als transaction-Bundle (alles of niets), niet als batch',
      });
    }
    const malformed = bundle.entry.some((e) => typeof e !== 'object' || e === null || Array.isArray(e));
    if (malformed || bundle.entry.length > ctx.limits.maxBundleEntries) {
      // The ordinary transaction names what is wrong with the Bundle itself.
      return processBundle(ctx, deps.dispatch, bundle, prefer, () => {});
    }
    const now = deps.clock();
    return ctx.store.transaction(async (store, raw) => {
      const tx: RestContext = { ...ctx, store };
      const checked = await checkCorrectionRequest(tx, bundle.entry as BundleEntry[], now);
      const result = await processBundle(
        tx,
        deps.dispatch,
        { ...bundle, entry: checked.entries },
        prefer,
        () => {},
      );
      const response = result.resource as unknown as { entry: { response: { location: string } }[] };
      const tasks = checked.asked.map((asked) => {
        const location = response.entry[asked.index]!.response.location;
        const communicationId = /Communication\/([^/]+)\/_history\//.exec(location)![1]!;
        const task = correctionTask({ ...checked, communicationId, ...asked, now });
        return { resourceType: 'Task', id: asked.taskId, resource: requireResource(tx, task, 'Task') };
      });
      const written = await store.onBehalf(raw).insertNew(tasks);
      const practiceName = displayName(checked.practice.stored) ?? `Organization/${checked.practice.id}`;
      response.entry.push(
        ...(written.map((w) =>
          entryResponse(
            { status: 201, headers: locationHeaders(w.stored, ctx.baseUrl), resource: w.resource },
            prefer.representation,
          ),
        ) as (typeof response.entry)[number][]),
        acknowledgement(ctx.language, practiceName) as (typeof response.entry)[number],
      );
      return result;
    });
  };
}
