/**
 * A copy of `value` with every reference to `from` (`Patient/1`, this server's absolute URL of
 * it, with or without a version) made the relative reference `to`; `undefined` when nothing
 * referred to it. Another server's `…/Patient/1` is another patient and stays.
 */
export function repointed<T>(value: T, from: string, to: string, baseUrl: string): T | undefined {
  let changed = false;
  const matches = (ref: string) => {
    const path = (ref.startsWith(`${baseUrl}/`) ? ref.slice(baseUrl.length + 1) : ref).replace(
      /\/_history\/[^/]+$/,
      '',
    );
    return path === from;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'reference' && typeof x === 'string' && matches(x)) {
        out[k] = to;
        changed = true;
      } else {
        out[k] = walk(x);
      }
    }
    return out;
  };
  const copy = walk(value) as T;
  return changed ? copy : undefined;
}
