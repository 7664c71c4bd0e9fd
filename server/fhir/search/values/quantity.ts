import { FhirError } from '../../errors.ts';
import { splitUnescaped, unescapeValue } from './escape.ts';
import { parseNumberValue } from './number.ts';
import { splitPrefix, type Prefix } from './prefix.ts';

export interface QuantityValue {
  prefix: Prefix;
  number: { value: number; lo: number; hi: number };
  /** undefined: any system (and with `||code`, the code may match the unit instead). */
  system: string | null | undefined;
  code: string | undefined;
}

/** `[prefix]number`, `[prefix]number|system|code` or `[prefix]number||code` (one OR item). */
export function parseQuantityValue(name: string, text: string): QuantityValue {
  const parts = splitUnescaped(text, '|').map(unescapeValue);
  if (parts.length !== 1 && parts.length !== 3) {
    throw new FhirError(
      400,
      `${name}: '${text}' is not a quantity (expected number, number|system|code or number||code)`,
      { code: 'value' },
    );
  }
  const [numberPart = '', system = '', code = ''] = parts;
  const { prefix, rest } = splitPrefix(numberPart, name);
  return {
    prefix,
    number: parseNumberValue(name, rest),
    system: system === '' ? undefined : system,
    code: code === '' ? undefined : code,
  };
}
