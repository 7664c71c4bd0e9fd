/**
 * TestScript assert operators (R4 `assert-operator-codes`). `actual` is what the assert
 * found (empty when nothing), `expected` the assert's value or the compared source's value.
 * Returns undefined for an operator the runner cannot evaluate, so it is skipped, not passed.
 */
export type OperatorResult = { ok: boolean; detail: string } | undefined;

function num(s: string): number | undefined {
  const n = Number(s);
  return s.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

function compareOrder(a: string, b: string): number {
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function applyOperator(
  operator: string,
  actual: string[],
  expected: string | undefined,
): OperatorResult {
  const first = actual[0];
  const shown = actual.length ? JSON.stringify(actual.length === 1 ? first : actual) : 'nothing';
  // Positive operators judge the first value found (Touchstone's reading); negative ones must
  // hold for every value, or a second value could hide what the assert excludes.
  const need = (test: (a: string, e: string) => boolean, words: string, every = false): OperatorResult => {
    if (expected === undefined) return { ok: false, detail: `operator '${operator}' needs a value` };
    if (first === undefined) return { ok: false, detail: `found nothing, expected ${words} '${expected}'` };
    const ok = every ? actual.every((a) => test(a, expected)) : test(first, expected);
    return { ok, detail: `found ${shown}, expected ${words} '${expected}'` };
  };
  switch (operator) {
    case 'equals':
      return need((a, e) => a === e, '');
    case 'notEquals':
      return need((a, e) => a !== e, 'not', true);
    case 'in':
      return need(
        (a, e) =>
          e
            .split(',')
            .map((s) => s.trim())
            .includes(a),
        'one of',
      );
    case 'notIn':
      return need(
        (a, e) =>
          !e
            .split(',')
            .map((s) => s.trim())
            .includes(a),
        'none of',
        true,
      );
    case 'greaterThan':
      return need((a, e) => compareOrder(a, e) > 0, 'greater than');
    case 'lessThan':
      return need((a, e) => compareOrder(a, e) < 0, 'less than');
    case 'contains':
      return need((a, e) => a.includes(e), 'to contain');
    case 'notContains':
      return need((a, e) => !a.includes(e), 'not to contain', true);
    case 'empty':
      return {
        ok: actual.length === 0 || actual.every((a) => a === ''),
        detail: `found ${shown}, expected nothing`,
      };
    case 'notEmpty':
      return { ok: actual.some((a) => a !== ''), detail: `found ${shown}, expected a value` };
    default:
      return undefined;
  }
}
