import { FhirError } from '../errors.ts';
import type { Dispatch } from '../rest/dispatch.ts';
import type { FhirResult, RestContext } from '../rest/types.ts';
import { processBatch } from './batch.ts';
import type { BundleEntry, BundlePrefer } from './entry-request.ts';
import { processTransaction } from './transaction.ts';

/** POST [base] with a batch or transaction Bundle. */
export async function processBundle(
  ctx: RestContext,
  dispatch: Dispatch,
  body: unknown,
  prefer: BundlePrefer,
  onError: (err: unknown, index: number) => void,
): Promise<FhirResult> {
  const bundle = body as { resourceType?: unknown; type?: unknown; entry?: unknown } | undefined;
  if (!bundle || bundle.resourceType !== 'Bundle') {
    throw new FhirError(400, 'POST to the base URL needs a Bundle of type batch or transaction', {
      code: 'invalid',
    });
  }
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw new FhirError(400, `Bundle.type must be batch or transaction, not '${String(bundle.type)}'`, {
      code: 'invalid',
    });
  }
  const entries = bundle.entry ?? [];
  if (
    !Array.isArray(entries) ||
    entries.some((e) => typeof e !== 'object' || e === null || Array.isArray(e))
  ) {
    throw new FhirError(400, 'Bundle.entry must be a list of entries', { code: 'structure' });
  }
  if (entries.length > ctx.limits.maxBundleEntries) {
    throw new FhirError(
      413,
      `The Bundle has ${entries.length} entries; at most ${ctx.limits.maxBundleEntries} are allowed`,
      {
        code: 'too-costly',
      },
    );
  }
  const result =
    bundle.type === 'transaction'
      ? await processTransaction(ctx, dispatch, entries as BundleEntry[], prefer)
      : await processBatch(ctx, dispatch, entries as BundleEntry[], prefer, onError);
  return { status: 200, headers: {}, resource: result };
}
