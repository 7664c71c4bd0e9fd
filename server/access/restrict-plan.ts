import { FhirError } from '../fhir/errors.ts';
import { FALSE } from '../fhir/search/conditions.ts';
import type { Condition } from '../fhir/search/types.ts';
import type { AccessPolicy } from './policy.ts';

/**
 * The policy's criteria inside a condition: every `_has` source and chain target gets the
 * criteria of its own type, so `Organization?_has:Observation:performer:subject=Patient/x`
 * cannot tell whether someone else's Observation exists; a type the caller never sees
 * (`hiddenTypes`) matches nothing there, whoever the caller is.
 */
export function restrictInside(access: AccessPolicy, c: Condition): Condition {
  switch (c.kind) {
    case 'and':
    case 'or':
      return { ...c, args: c.args.map((a) => restrictInside(access, a)) };
    case 'not':
      return { ...c, arg: restrictInside(access, c.arg) };
    case 'has':
      return access.hiddenTypes?.has(c.sourceType)
        ? FALSE
        : { ...c, source: restrictCondition(access, c.sourceType, c.source) };
    case 'chain':
      return access.hiddenTypes?.has(c.targetType)
        ? FALSE
        : { ...c, target: restrictCondition(access, c.targetType, c.target) };
    case 'list':
      // The List is read by id inside the statement, unfiltered: its members would show.
      if (!access.restricted) return c;
      throw new FhirError(403, `_list is not available to ${access.describe}`, { code: 'forbidden' });
    default:
      return c;
  }
}

/** A condition on `resourceType` narrowed to what the caller may see. */
export function restrictCondition(access: AccessPolicy, resourceType: string, c: Condition): Condition {
  if (access.hiddenTypes?.has(resourceType)) return FALSE;
  if (!access.restricted) return access.hiddenTypes?.size ? restrictInside(access, c) : c;
  return { kind: 'and', args: [access.searchCondition(resourceType), restrictInside(access, c)] };
}
