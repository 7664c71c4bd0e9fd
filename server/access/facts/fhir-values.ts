import { storedDateRange } from '../../fhir/search/values/date.ts';

/** Loose reading of stored FHIR JSON: the facts must never fail a write the schema allowed. */
export type Json = Record<string, unknown>;

export const asObject = (v: unknown): Json | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/**
 * A Reference as `Type/id`: a relative literal reference (a version dropped), as the compartment
 * index reads one. An absolute URL (it may name another server's patient), a logical or a
 * contained reference gives none: a fact about a patient must be about a patient of this
 * server's record, the same one the row's compartment names.
 */
export function literalReference(v: unknown): string | undefined {
  const reference = asObject(v)?.reference;
  if (typeof reference !== 'string') return undefined;
  const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** The id of a reference to a Patient. */
export function patientId(v: unknown): string | undefined {
  const ref = literalReference(v);
  return ref?.startsWith('Patient/') ? ref.slice('Patient/'.length) : undefined;
}

/** A Period as an inclusive range in epoch milliseconds; an open end is absent. */
export function periodRange(v: unknown): { lo?: number; hi?: number } {
  const p = asObject(v);
  const lo = typeof p?.start === 'string' ? storedDateRange(p.start)?.lo : undefined;
  const hi = typeof p?.end === 'string' ? storedDateRange(p.end)?.hi : undefined;
  return { ...(lo !== undefined ? { lo } : {}), ...(hi !== undefined ? { hi } : {}) };
}

/** `system|code` of each coding of a CodeableConcept (or of a list of them, or of Codings). */
export function codings(v: unknown): { system: string; code: string }[] {
  return asArray(v).flatMap((c) => {
    const o = asObject(c);
    const list = o && 'coding' in o ? asArray(o.coding) : [c];
    return list.flatMap((k) => {
      const coding = asObject(k);
      return typeof coding?.code === 'string'
        ? [{ system: typeof coding.system === 'string' ? coding.system : '', code: coding.code }]
        : [];
    });
  });
}
