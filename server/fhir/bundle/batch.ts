import { FhirError } from '../errors.ts';
import type { Dispatch } from '../rest/dispatch.ts';
import type { RestContext } from '../rest/types.ts';
import type { Resource } from '../storage/types.ts';
import { atEntry, entryResponse, errorEntry } from './entry-response.ts';
import { entryRequest, type BundleEntry, type BundlePrefer } from './entry-request.ts';

/**
 * A batch Bundle: every entry on its own, each in its own database transaction; a failing
 * entry gets an error response and the others go on. Unexpected errors go to `onError`
 * (the log) and the entry answers 500 without details.
 */
export async function processBatch(
  ctx: RestContext,
  dispatch: Dispatch,
  entries: BundleEntry[],
  prefer: BundlePrefer,
  onError: (err: unknown, index: number) => void,
): Promise<Resource> {
  const out: Record<string, unknown>[] = [];
  for (const [index, entry] of entries.entries()) {
    try {
      const req = entryRequest(entry, index, ctx.baseUrl, prefer);
      if (req.path.length === 0) throw new FhirError(400, 'a batch may not contain a batch or transaction');
      const result = await dispatch(ctx, req);
      out.push(entryResponse(result, prefer.representation || req.method === 'GET' || req.method === 'HEAD'));
    } catch (err) {
      const e = atEntry(err, index);
      if (e instanceof FhirError) {
        out.push(errorEntry(e));
      } else {
        onError(err, index);
        out.push(
          errorEntry(new FhirError(500, 'Internal error processing this entry', { code: 'exception' })),
        );
      }
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry: out };
}
