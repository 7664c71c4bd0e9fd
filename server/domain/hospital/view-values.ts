import type { Json } from './json.ts';
import { RESULT_FLAG_SYSTEM, resultFlag } from './result-flag.ts';

/** Times, codes and flags as the portal's screens read them (views.ts, lab-series.ts). */
export const DAY = 86_400_000;
export const daysAgo = (now: Date, days: number) => new Date(now.getTime() - days * DAY).toISOString();
/** Twelve calendar months back from now. */
export function monthsAgo(now: Date, months: number): string {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.toISOString();
}

export const codings = (concept: unknown): Json[] =>
  (concept as { coding?: Json[] } | undefined)?.coding ?? [];
export const conceptsOf = (value: unknown): Json[] => (Array.isArray(value) ? value : value ? [value] : []);
export const hasCode = (concepts: unknown, system: string, codes?: Set<string>) =>
  conceptsOf(concepts).some((c) =>
    codings(c).some((x) => x.system === system && (!codes || codes.has(x.code))),
  );
/** Whether an instant (with any offset, or a date) lies in the last `days` days up to now. */
export function within(instant: string | undefined, now: Date, days: number): boolean {
  const at = Date.parse(instant ?? '');
  return at >= now.getTime() - days * DAY && at <= now.getTime();
}
export const startOf = (r: Json): string | undefined =>
  r.period?.start ??
  r.effectiveDateTime ??
  r.effectivePeriod?.start ??
  r.effectiveInstant ??
  r.performedDateTime ??
  r.performedPeriod?.start;

/** A result's low/high flag as an entry's classification. */
export function labFlag(r: Json) {
  const flag = resultFlag(r);
  return flag ? { system: RESULT_FLAG_SYSTEM, code: flag } : undefined;
}
