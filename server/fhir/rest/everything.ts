import { didYouMean } from '../did-you-mean.ts';
import { FhirError } from '../errors.ts';
import { parseInstantParam } from './params.ts';
import { loadCurrent } from './read.ts';
import { searchAt } from './search.ts';
import type { FhirResult, RestContext } from './types.ts';

const ACCEPTED = new Set(['_since', '_type', '_count', '_cursor']);

/**
 * `Patient/[id]/$everything`: the patient, every resource in their compartment, and what
 * those refer to (practitioners, organisations, medications…), paged like a search.
 * `_since` keeps resources changed since an instant, `_type` narrows the types.
 */
export async function everything(ctx: RestContext, id: string, query: URLSearchParams): Promise<FhirResult> {
  for (const name of query.keys()) {
    if (!ACCEPTED.has(name)) {
      throw new FhirError(
        400,
        `$everything: parameter '${name}' is not supported (use _since, _type, _count)${didYouMean(name, ACCEPTED)}`,
        { code: 'not-supported' },
      );
    }
  }
  await loadCurrent(ctx, 'Patient', id);
  const params = new URLSearchParams();
  const since = query.getAll('_since');
  if (since.length > 1) throw new FhirError(400, '_since may only be given once', { code: 'invalid' });
  if (since[0] !== undefined) {
    parseInstantParam('_since', since[0]);
    params.append('_lastUpdated', `ge${since[0]}`);
  }
  for (const name of ['_type', '_count', '_cursor'])
    for (const v of query.getAll(name)) params.append(name, v);
  params.append('_include', '*');
  return searchAt(
    ctx,
    { compartment: { resourceType: 'Patient', id }, params, strict: true },
    `Patient/${encodeURIComponent(id)}/$everything`,
    [...query],
  );
}
