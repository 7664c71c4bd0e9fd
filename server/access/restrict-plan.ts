import { FhirError } from '../fhir/errors.ts';
import type { SearchPlan } from '../fhir/search/engine.ts';
import type { Condition } from '../fhir/search/types.ts';
import type { AccessPolicy } from './policy.ts';

/**
 * The policy's criteria ANDed into a condition, and into every `_has` source and chain target
 * inside it: `Organization?_has:Observation:performer:subject=Patient/x` must not tell whether
 * someone else's Observation exists.
 */
export function restrictCondition(access: AccessPolicy, resourceType: string, c: Condition): Condition {
  if (!access.restricted) return c;
  const inner = (x: Condition): Condition => {
    switch (x.kind) {
      case 'and':
      case 'or':
        return { ...x, args: x.args.map(inner) };
      case 'not':
        return { ...x, arg: inner(x.arg) };
      case 'has':
        return { ...x, source: restrictCondition(access, x.sourceType, x.source) };
      case 'chain':
        return { ...x, target: restrictCondition(access, x.targetType, x.target) };
      default:
        return x;
    }
  };
  return { kind: 'and', args: [access.searchCondition(resourceType), inner(c)] };
}

/** A search plan with the caller's criteria in each searched type's condition (same SQL statement). */
export function restrictPlan(access: AccessPolicy, plan: SearchPlan): SearchPlan {
  if (!access.restricted) return plan;
  return {
    ...plan,
    types: plan.types.map((t) => {
      if (!t.resourceType) {
        throw new FhirError(
          403,
          `A search across all types is not available to ${access.describe}; name them with _type`,
          {
            code: 'forbidden',
          },
        );
      }
      return { ...t, condition: restrictCondition(access, t.resourceType, t.condition) };
    }),
  };
}
