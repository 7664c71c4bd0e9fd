import { FhirError } from '../errors.ts';

/**
 * A patch path only has to *navigate* to an element, but FHIRPath can also compute: one
 * 240-byte `descendants().select(…)` chain runs for minutes and exhausts the heap. Paths are
 * therefore limited to navigation, filters and these cheap functions, without environment
 * variables (`%resource` inside `where` makes nesting multiply), and to a bounded length.
 */
const ALLOWED_FUNCTIONS = new Set([
  'where',
  'first',
  'last',
  'tail',
  'skip',
  'take',
  'single',
  'ofType',
  'as',
  'is',
  'extension',
  'exists',
  'empty',
  'not',
  'hasValue',
  'count',
  'startsWith',
  'endsWith',
  'contains',
  'lower',
  'upper',
]);
const MAX_PATH_LENGTH = 1000;
const MAX_FUNCTION_CALLS = 20;

export function checkPatchPath(path: string): void {
  const refuse = (why: string) =>
    new FhirError(400, `FHIRPath Patch path '${path.slice(0, 200)}' is not allowed: ${why}`, {
      code: 'not-supported',
    });
  if (path.length > MAX_PATH_LENGTH) throw refuse(`longer than ${MAX_PATH_LENGTH} characters`);
  // Literals and quoted identifiers may contain anything; only the code around them counts.
  const code = path.replace(/'(?:[^'\\]|\\.)*'/g, "''").replace(/`(?:[^`\\]|\\.)*`/g, '``');
  if (code.includes('%'))
    throw refuse('environment variables such as %resource are not supported in patch paths');
  const calls = [...code.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((m) => m[1]!);
  const forbidden = calls.find((name) => !ALLOWED_FUNCTIONS.has(name));
  if (forbidden) throw refuse(`the function ${forbidden}() is not supported in patch paths`);
  if (calls.length > MAX_FUNCTION_CALLS) throw refuse(`more than ${MAX_FUNCTION_CALLS} function calls`);
}
