import type { BearerLookup, BearerRow } from './bearer-lookup.ts';
import type { TokenRevocations } from './token-revocations.ts';

/**
 * Keeps a token's lookup for up to `seconds`, never past the end the database gave it, and only while the
 * node listens for revocations: every revocation, on any node, empties it at commit time. A
 * lookup that was under way when a notification came (or the listener went) is not kept, so a
 * token revoked during it cannot be kept alive. Unknown tokens are never kept.
 */
export function keepBearerLookups(
  lookup: BearerLookup,
  revocations: TokenRevocations,
  options: { seconds: number; max: number },
): BearerLookup {
  const kept = new Map<string, { row: BearerRow; until: number }>();
  revocations.onChange(() => kept.clear());
  return async (token) => {
    if (!revocations.listening) return lookup(token);
    const now = Date.now();
    const hit = kept.get(token);
    if (hit && now < hit.until) return hit.row;
    if (hit) kept.delete(token);
    const generation = revocations.generation;
    const row = await lookup(token);
    if (row && revocations.listening && generation === revocations.generation) {
      if (kept.size >= options.max) kept.delete(kept.keys().next().value!);
      kept.set(token, { row, until: now + Math.min(options.seconds * 1000, row.validMs ?? Infinity) });
    }
    return row;
  };
}
