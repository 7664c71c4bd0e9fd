import { FhirError } from '../../errors.ts';

export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

const PREFIXES: ReadonlySet<string> = new Set<Prefix>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

/**
 * The comparison prefix of a number, date or quantity value. Two letters count as a prefix only
 * when a number or date follows, so that a misspelt prefix (`xx2020`) is refused instead of
 * being read as part of the value. `name` only labels the error.
 */
export function splitPrefix(value: string, name = 'search value'): { prefix: Prefix; rest: string } {
  if (!/^[A-Za-z]{2}[0-9+-]/.test(value)) return { prefix: 'eq', rest: value };
  const head = value.slice(0, 2);
  if (!PREFIXES.has(head)) {
    throw new FhirError(
      400,
      `${name}: unknown prefix '${head}' in '${value}' (expected one of ${[...PREFIXES].join(', ')})`,
      { code: 'value' },
    );
  }
  return { prefix: head as Prefix, rest: value.slice(2) };
}
