import type { Json } from './json.ts';

export const RESULT_FLAG_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/portal-result-flag';
export type ResultFlag = 'low' | 'high' | 'normal';

const LOW = new Set(['L', 'LL', 'LU', '<']);
const HIGH = new Set(['H', 'HH', 'HU', '>']);
const NORMAL = new Set(['N']);

const quantity = (q: unknown): number | undefined => {
  const v = (q as { value?: unknown } | undefined)?.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

/**
 * Below or above the reference range (the seed's blue and red): the laboratory's own
 * interpretation (v3 ObservationInterpretation) when it gave one, else the value against the
 * first reference range with a bound, when both are quantities (the laboratory states both in
 * the unit of the value). None when neither says: a text result, a range without bounds.
 */
export function resultFlag(observation: Json): ResultFlag | undefined {
  const interpretations = (observation.interpretation ?? []).flatMap((i: Json) =>
    (i.coding ?? []).map((c: Json) => c.code as string),
  );
  if (interpretations.some((c: string) => LOW.has(c))) return 'low';
  if (interpretations.some((c: string) => HIGH.has(c))) return 'high';
  if (interpretations.some((c: string) => NORMAL.has(c))) return 'normal';
  const value = quantity(observation.valueQuantity);
  const range = (observation.referenceRange ?? []).find(
    (r: Json) => quantity(r.low) !== undefined || quantity(r.high) !== undefined,
  );
  if (value === undefined || !range) return undefined;
  const low = quantity(range.low);
  const high = quantity(range.high);
  if (low !== undefined && value < low) return 'low';
  if (high !== undefined && value > high) return 'high';
  return 'normal';
}
