import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

/** What applying a message adds to its mapping: who sent it, as this server knows them. */
export interface MapContext {
  /** The sending organisation (`Organization/…`), the Encounter's serviceProvider. */
  organization?: string;
}

export interface TransactionBundle {
  resourceType: 'Bundle';
  type: 'transaction';
  entry: Json[];
}

/**
 * A stable `urn:uuid:` for one resource of one message (its sender and control id), so the same
 * message always maps to the same Bundle and golden files can compare it whole.
 */
export function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type Identifier = { system?: string; value?: string };

/** A FHIR search token for an identifier, its `\`, `,`, `|` and `$` escaped. */
const token = (id: Identifier) => {
  const esc = (v: string) => v.replace(/[\\,|$]/g, (c) => `\\${c}`);
  return `${esc(id.system ?? '')}|${esc(id.value ?? '')}`;
};

/**
 * `identifier=a,b`: a resource found by any of its identifiers (a patient by BSN or hospital
 * number, so one first known by the one is found again when the other arrives). Two matches
 * are a conflict the server refuses (412), never a silent second record.
 */
export function identifierQuery(keys: Identifier[]): string {
  return `identifier=${keys
    .filter((k) => k.system && k.value)
    .map((k) => encodeURIComponent(token(k)))
    .join(',')}`;
}

/**
 * A transaction entry: a conditional update on the identifiers the resource is known by (so a
 * resend changes it rather than making another), or a create when it has none.
 */
export function entry(
  seed: string,
  type: string,
  resource: Json,
  key?: Identifier | Identifier[],
): Json & { fullUrl: string } {
  const keys = (Array.isArray(key) ? key : key ? [key] : []).filter((k) => k.system && k.value);
  const first = keys[0];
  const fullUrl = `urn:uuid:${stableUuid(seed, type, first?.system ?? '', first?.value ?? '')}`;
  const url = keys.length ? `${type}?${identifierQuery(keys)}` : type;
  return { fullUrl, resource, request: { method: keys.length ? 'PUT' : 'POST', url } };
}
