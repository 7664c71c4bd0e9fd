import { FhirError } from '../../errors.ts';

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * A number query value (prefix already removed) and the range its precision implies; `hi` is
 * exclusive. Bounds are computed in decimal and converted once, so `100.00` gives exactly the
 * doubles nearest 99.995 and 100.005.
 */
export function parseNumberValue(name: string, text: string): { value: number; lo: number; hi: number } {
  const m = DECIMAL.exec(text);
  if (!m) throw invalid(name, `'${text}' is not a decimal number (expected e.g. 100, -2.5 or 1.5e3)`);
  const [, sign = '', int = '', frac = '', exp = '0'] = m;
  // ± half a unit of the last digit written (R4 search §number: 100 → [99.5, 100.5)); 1e2 → [50, 150).
  const tenths = BigInt(sign + int + frac) * 10n;
  const scale = Number(exp) - frac.length - 1;
  const range = {
    value: Number(text),
    lo: Number(`${tenths - 5n}e${scale}`),
    hi: Number(`${tenths + 5n}e${scale}`),
  };
  if (![range.value, range.lo, range.hi].every(Number.isFinite))
    throw invalid(name, `'${text}' is too large`);
  return range;
}

function invalid(name: string, message: string): FhirError {
  return new FhirError(400, `${name}: ${message}`, { code: 'value' });
}
