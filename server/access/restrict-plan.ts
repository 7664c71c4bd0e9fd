import { FhirError } from '../fhir/errors.ts';
import type { SearchPlan } from '../fhir/search/engine.ts';
import type { Condition } from '../fhir/search/types.ts';
import type { AccessPolicy } from './policy.ts';

/**
 * The policy's criteria inside a condition: every `_has` source and chain target gets the
 * criteria of its own type, so `Organization?_has:Observation:performer:subject=Patient/x`
 * cannot tell whether someone else's Observation exists.
 */
export function restrictInside(access: AccessPolicy, c: Condition): Condition {
  switch (c.kind) {
    case 'and':
    case 'or':
      return { ...c, args: c.args.map((a) => restrictInside(access, a)) };
    case 'not':
      return { ...c, arg: restrictInside(access, c.arg) };
    case 'has':
      return { ...c, source: restrictCondition(access, c.sourceType, c.source) };
    case 'chain':
      return { ...c, target: restrictCondition(access, c.targetType, c.target) };
    case 'list':
      // The List is read by id inside the statement, unfiltered: its members would show.
      throw new FhirError(403, `_list is not available to ${access.describe}`, { code: 'forbidden' });
    default:
      return c;
  }
}

/** A condition on `resourceType` narrowed to what the caller may see. */
export function restrictCondition(access: AccessPolicy, resourceType: string, c: Condition): Condition {
  if (!access.restricted) return c;
  return { kind: 'and', args: [access.searchCondition(resourceType), restrictInside(access, c)] };
}

/** A search plan with the caller's criteria in each searched type's condition (same SQL statement). */
export function restrictPlan(access: AccessPolicy, plan: SearchPlan): SearchPlan {
  if (!access.restricted) return plan;
  return {
    ...plan,
    types: plan.types.map((t) => ({
      ...t,
      condition: t.resourceType
        ? restrictCondition(access, t.resourceType, t.condition)
        : { kind: 'and', args: [access.anyTypeCondition, restrictInside(access, t.condition)] },
    })),
  };
}
