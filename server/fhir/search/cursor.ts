import { FhirError } from '../errors.ts';

/**
 * Paging position: the sort-key values and rid of the row a page starts after (or before),
 * and the highest rid that existed when the search began, so that pages neither repeat nor
 * skip matches while others insert. Opaque to clients (base64url JSON).
 */
export interface Cursor {
  direction: 'after' | 'before';
  keys: unknown[];
  rid: string;
  maxRid: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.direction === 'after' ? 'a' : 'b', c.keys, c.rid, c.maxRid])).toString(
    'base64url',
  );
}

export function decodeCursor(text: string, sortKeys: number): Cursor {
  const invalid = () =>
    new FhirError(400, `_cursor: '${text.slice(0, 40)}' is not a paging cursor of this search`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw invalid();
  const [d, keys, rid, maxRid] = parsed as unknown[];
  // Within bigint: Postgres would fail on more.
  const isRid = (v: unknown): v is string => typeof v === 'string' && /^[0-9]{1,18}$/.test(v);
  if (
    (d !== 'a' && d !== 'b') ||
    !Array.isArray(keys) ||
    keys.length !== sortKeys ||
    !isRid(rid) ||
    !isRid(maxRid)
  ) {
    throw invalid();
  }
  if (keys.some((k) => k !== null && typeof k !== 'string' && typeof k !== 'number')) throw invalid();
  return { direction: d === 'a' ? 'after' : 'before', keys, rid, maxRid };
}
