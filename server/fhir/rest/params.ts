import { FhirError } from '../errors.ts';
import { parseDateRange } from '../search/values/date.ts';

/**
 * A FHIR date/dateTime/instant query value as the earliest instant it denotes (no zone: UTC).
 * The search engine's date grammar, so `_since` and `_at` read dates exactly as searches do.
 */
export function parseInstantParam(name: string, value: string): Date {
  return new Date(parseDateRange(name, value).lo);
}

/** `_count`: a non-negative integer, capped at the configured maximum. */
export function parseCount(value: string | null, fallback: number, max: number): number {
  if (value === null) return fallback;
  if (!/^[0-9]{1,9}$/.test(value)) {
    throw new FhirError(400, `_count: '${value}' is not a non-negative integer`, { code: 'value' });
  }
  return Math.min(Number(value), max);
}

/** A parameter that may appear at most once. */
export function single(params: URLSearchParams, name: string): string | null {
  const all = params.getAll(name);
  if (all.length > 1) throw new FhirError(400, `${name} may only be given once`, { code: 'invalid' });
  return all[0] ?? null;
}
