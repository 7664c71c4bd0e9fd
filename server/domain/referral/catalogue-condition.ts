import { and, or } from '../../fhir/search/conditions.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { Condition } from '../../fhir/search/types.ts';
import type { CatalogueRequest } from './catalogue-request.ts';
import { careQuestionsBelow, codesNamed, icpcMatching } from './catalogue-terminology.ts';
import { CARE_QUESTION_SYSTEM, ICPC_SYSTEM, OFFERING_KIND_SYSTEM } from './vocabulary.ts';

const LIMITS = { defaultSearchCount: 1, maxSearchCount: 1 };

/** A value for a search parameter, with FHIR's search escapes (`\`, `,`, `$`, `|`). */
const escape = (value: string) => value.replace(/[\\,$|]/g, (c) => `\\${c}`);
const tokens = (system: string, codes: string[]) => codes.map((c) => `${system}|${escape(c)}`).join(',');

/**
 * The catalogue's question as one condition on HealthcareService, in ordinary search parameters
 * (ours in profiles/search-parameters-referral.json), so the search engine compiles it and the
 * store adds the caller's access criteria to the same statement:
 *
 * - only active offerings (`active:not=false`: an offering without `active` is offered);
 * - kind: `service-category`;
 * - care question: `characteristic` = the question or any question below it;
 * - ICPC: `characteristic` = the code, its three-character code, or a known subcode;
 * - age: no `offering-min-age` or one at most the age, and no `offering-max-age` or one at
 *   least the age; gender: no `offering-gender` or that one;
 * - each free-text word: in the offering's words (`offering-text:contains`: name, comment,
 *   details, code displays), in its provider's name (`organization.name:contains`), or naming a
 *   care question or ICPC code (or one above it) that the offering carries.
 *
 * `filters=off` leaves out the care question, ICPC and patient filters, not kind or text.
 */
export function catalogueCondition(
  search: SearchEngine,
  request: CatalogueRequest,
  baseUrl: string,
): Condition {
  const where = (...params: [string, string][]): Condition =>
    search.plan({ resourceType: 'HealthcareService', params, strict: true, baseUrl, limits: LIMITS })
      .types[0]!.condition;
  const parts: Condition[] = [where(['active:not', 'false'])];
  if (request.kind) parts.push(where(['service-category', `${OFFERING_KIND_SYSTEM}|${request.kind}`]));
  if (!request.filtersOff) {
    if (request.careQuestion) {
      parts.push(
        where(['characteristic', tokens(CARE_QUESTION_SYSTEM, careQuestionsBelow(request.careQuestion))]),
      );
    }
    if (request.icpc) parts.push(where(['characteristic', tokens(ICPC_SYSTEM, icpcMatching(request.icpc))]));
    if (request.age !== undefined) {
      parts.push(
        or([where(['offering-min-age:missing', 'true']), where(['offering-min-age', `le${request.age}`])]),
        or([where(['offering-max-age:missing', 'true']), where(['offering-max-age', `ge${request.age}`])]),
      );
    }
    if (request.gender) {
      parts.push(
        or([where(['offering-gender:missing', 'true']), where(['offering-gender', escape(request.gender)])]),
      );
    }
  }
  for (const word of request.words) {
    const named = codesNamed(word);
    const codes = [
      ...named.careQuestions.map((c) => `${CARE_QUESTION_SYSTEM}|${escape(c)}`),
      ...named.icpc.map((c) => `${ICPC_SYSTEM}|${escape(c)}`),
    ];
    parts.push(
      or([
        where(['offering-text:contains', escape(word)]),
        where(['organization.name:contains', escape(word)]),
        ...(codes.length ? [where(['characteristic', codes.join(',')])] : []),
      ]),
    );
  }
  return and(parts);
}
