import { FhirError } from '../../errors.ts';
import { splitUnescaped, unescapeValue } from './escape.ts';

export interface TokenValue {
  /** undefined: any system; null: the value must have no system (`|code`). */
  system: string | null | undefined;
  /** undefined: any code in the system (`system|`). */
  code: string | undefined;
}

const FORMS = 'expected code, system|code, |code or system|';

/** `code`, `system|code`, `|code` or `system|` (one OR item, still escaped). */
export function parseTokenValue(name: string, text: string): TokenValue {
  const parts = splitUnescaped(text, '|').map(unescapeValue);
  const [first = '', second] = parts;
  if (parts.length > 2) {
    throw new FhirError(400, `${name}: '${text}' has more than one unescaped '|' (${FORMS})`, {
      code: 'value',
    });
  }
  if (second === undefined) {
    if (first === '')
      throw new FhirError(400, `${name}: '${text}' is an empty token (${FORMS})`, { code: 'value' });
    return { system: undefined, code: first };
  }
  if (first === '' && second === '') {
    throw new FhirError(400, `${name}: '${text}' has neither a system nor a code (${FORMS})`, {
      code: 'value',
    });
  }
  return { system: first === '' ? null : first, code: second === '' ? undefined : second };
}
