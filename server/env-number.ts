/**
 * A number setting from the environment: `fallback` when unset or empty, else the value, or an
 * error naming the setting and what it must be (the server then does not start).
 */
export function envNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  rule: { integer?: boolean; positive?: boolean; min?: number } = {},
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  const min = rule.min ?? 0;
  const kind = rule.integer ? 'integer' : 'number';
  if (!Number.isFinite(n) || (rule.integer && !Number.isInteger(n)) || n < min || (rule.positive && n <= 0)) {
    const what = rule.positive
      ? `a positive ${kind}`
      : min === 0
        ? `a non-negative ${kind}`
        : `${kind === 'integer' ? 'an' : 'a'} ${kind} of at least ${min}`;
    throw new Error(`${name} must be ${what}, got '${raw}'`);
  }
  return n;
}
