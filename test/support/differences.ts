import { isDeepStrictEqual } from 'node:util';

type Json = Record<string, unknown>;

/** Up to `limit` paths where `actual` and `expected` differ, for a readable failure message. */
export function differences(
  actual: unknown,
  expected: unknown,
  path = '',
  out: string[] = [],
  limit = 5,
): string[] {
  if (out.length >= limit || isDeepStrictEqual(actual, expected)) return out;
  const isObj = (v: unknown) => typeof v === 'object' && v !== null;
  if (isObj(actual) && isObj(expected) && Array.isArray(actual) === Array.isArray(expected)) {
    const a = actual as Json;
    const e = expected as Json;
    for (const key of new Set([...Object.keys(e), ...Object.keys(a)])) {
      const p = Array.isArray(expected) ? `${path}[${key}]` : `${path}.${key}`;
      differences(a[key], e[key], p, out, limit);
    }
    return out;
  }
  const show = (v: unknown) => (v === undefined ? 'undefined' : JSON.stringify(v).slice(0, 120));
  out.push(`${path || '(root)'}: got ${show(actual)}, expected ${show(expected)}`);
  return out;
}
