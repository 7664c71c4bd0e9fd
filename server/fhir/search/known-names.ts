import { closest, didYouMeanPhrase } from '../did-you-mean.ts';
import { FhirError } from '../errors.ts';
import type { SearchParamRegistry } from './registry/registry.ts';

/**
 * The names a search accepts, for telling a client which one it probably meant when it sent
 * one we do not know.
 */

/** Filters the parser implements itself rather than through a SearchParameter. */
const BUILT_IN_FILTERS = ['_id', '_lastUpdated', '_list', '_content', '_text', '_has'];
/** Result parameters, and the two the HTTP layer takes off before a search sees the query. */
const RESULT_NAMES = ['_count', '_sort', '_total', '_summary', '_elements', '_include', '_revinclude'];
const FORMAT_NAMES = ['_format', '_pretty'];

/** Filter parameters of any of `types` (a chain's rest, `_has`'s rest, `_sort`). */
export function filterNames(registry: SearchParamRegistry, types: Iterable<string>): Set<string> {
  const names = new Set(BUILT_IN_FILTERS);
  for (const type of types) for (const p of registry.forType(type)) names.add(p.code);
  return names;
}

/** Everything a search query at `types` may hold; `_type` only at system level. */
export function searchNames(
  registry: SearchParamRegistry,
  types: Iterable<string>,
  system: boolean,
): Set<string> {
  const names = filterNames(registry, types);
  for (const n of [...RESULT_NAMES, ...FORMAT_NAMES, ...(system ? ['_type'] : [])]) names.add(n);
  return names;
}

/**
 * ` — did you mean 'name:exact'?` for `nmae:exact`: the parameter's code is what is unknown, so
 * only the code is compared and the suggestion keeps the modifier or chain that follows it.
 */
export function suggestParameter(name: string, known: Iterable<string>): string {
  const code = /^[^:.]*/.exec(name)![0];
  const rest = name.slice(code.length);
  const suggestion = closest(code, known);
  return didYouMeanPhrase(suggestion === undefined ? undefined : suggestion + rest);
}

export function unknownParameterMessage(name: string, where: string, known: Iterable<string>): string {
  return `Unknown search parameter '${name}' for ${where}${suggestParameter(name, known)}`;
}

/** One issue per unknown parameter: the client can fix them all at once. */
export function unknownParametersError(names: string[], where: string, known: Iterable<string>): FhirError {
  const all = [...known];
  return new FhirError(
    400,
    [...new Set(names)].map((name) => ({
      severity: 'error' as const,
      code: 'not-found' as const,
      diagnostics: unknownParameterMessage(name, where, all),
    })),
  );
}
