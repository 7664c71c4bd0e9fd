import { and, FALSE, not, or, TRUE } from '../../fhir/search/conditions.ts';
import type { Condition } from '../../fhir/search/types.ts';
import { HELD } from '../facts/consent-rules.ts';
import type { createCategoryMatcher } from './data-categories.ts';

/**
 * Whether a rule names a data category for its rank. A consent recorded by one organisation
 * (`held:<org>`) is narrowed to that organisation's data but ranks as its provision does: a
 * hospital's permit naming a GP must not outrank the patient's own deny naming that GP.
 */
const namesCategory = (category: string | null) =>
  category !== null && !(category.startsWith(HELD) && !category.includes('&'));

/** One rule of a patient's consents that applies to the caller. */
export interface ConsentRule {
  decision: 'permit' | 'deny';
  /** The rule names the caller (or their role, organisation, group); else it names no actor. */
  namesActor: boolean;
  /** The data category it is about; null: all data. */
  category: string | null;
}

/** A stable key for a set of rules, so patients with the same rules share one condition. */
export function rulesKey(rules: readonly ConsentRule[]): string {
  return [...new Set(rules.map((r) => `${r.namesActor ? 'a' : 'g'}:${r.decision}:${r.category ?? '*'}`))]
    .sort()
    .join(' ');
}

/**
 * What one patient's consent rules say about a row: `deny` and `permit` as conditions (neither
 * holds when no rule applies). The most specific rules that apply decide — naming the actor
 * beats naming only a category, which beats naming neither — and among those, deny beats
 * permit (server/access/README.md, "Consent").
 */
export function consentVerdict(
  rules: readonly ConsentRule[],
  resourceType: string | undefined,
  categoryOf: ReturnType<typeof createCategoryMatcher>,
): { deny: Condition; permit: Condition } {
  const specificity = (r: ConsentRule) => (r.namesActor ? 2 : 0) + (namesCategory(r.category) ? 1 : 0);
  const levels = [3, 2, 1, 0];
  const applies = (r: ConsentRule) =>
    categoryOf(r.category, resourceType, r.decision === 'deny' ? TRUE : FALSE);
  const at = (level: number) => rules.filter((r) => specificity(r) === level);
  const denies: Condition[] = [];
  const permits: Condition[] = [];
  let moreSpecific: Condition = FALSE;
  for (const level of levels) {
    const here = at(level);
    if (!here.length) continue;
    const deny = or(here.filter((r) => r.decision === 'deny').map(applies));
    const any = or(here.map(applies));
    denies.push(and([deny, not(moreSpecific)]));
    permits.push(and([any, not(deny), not(moreSpecific)]));
    moreSpecific = or([moreSpecific, any]);
  }
  return { deny: or(denies), permit: or(permits) };
}
