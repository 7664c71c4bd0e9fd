/** Checks for command input that crossed the operator socket: plain JSON, trusted by nothing. */
export class InputError extends Error {}

export function record(value: unknown, what = 'input'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${what} must be an object`);
  }
  return value as Record<string, unknown>;
}

export function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new InputError(`${what} must be a non-empty string`);
  return value;
}

export function optionalText(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : text(value, what);
}

export function texts(value: unknown, what: string): string[] {
  if (!Array.isArray(value)) throw new InputError(`${what} must be a list of strings`);
  return value.map((v, i) => text(v, `${what}[${i}]`));
}
