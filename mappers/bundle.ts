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

/**
 * A transaction entry: a conditional update on the identifier the resource is known by (so a
 * resend changes it rather than making another), or a create when it has none.
 */
export function entry(
  seed: string,
  type: string,
  resource: Json,
  key?: { system?: string; value?: string },
): Json & { fullUrl: string } {
  const fullUrl = `urn:uuid:${stableUuid(seed, type, key?.system ?? '', key?.value ?? '')}`;
  const url =
    key?.system && key.value
      ? `${type}?identifier=${encodeURIComponent(`${key.system}|${key.value}`)}`
      : type;
  return { fullUrl, resource, request: { method: key?.value ? 'PUT' : 'POST', url } };
}
