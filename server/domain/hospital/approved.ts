import { APPROVED_CRITERIA } from '../../access/rules/approved-only.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { Condition } from '../../fhir/search/types.ts';
import type { Json } from './json.ts';

/**
 * What the hospital has approved ("geaccordeerd door de medisch specialist", seed 002 §3): the
 * gate's criteria per type (server/access/rules/approved-only.ts), which the portal's screens
 * add to every search, for every holder's rows (the gate holds back only those of the
 * hospitals configured in ACCESS_APPROVED_ONLY, from others).
 */
export function approvedParams(type: string): [string, string][] {
  return [...new URLSearchParams(APPROVED_CRITERIA[type] ?? '')];
}

/**
 * The same criteria in memory, for rows no search of the screen chose (its includes: a result
 * under a report, an image), and never a row entered in error, whatever its type.
 */
export function approvalCheck(search: SearchEngine): (resource: Json) => boolean {
  const conditions = new Map<string, Condition | null>();
  const conditionOf = (type: string) => {
    if (!conditions.has(type)) {
      const query = APPROVED_CRITERIA[type];
      conditions.set(type, query ? search.criteria(type, query, '').condition : null);
    }
    return conditions.get(type)!;
  };
  return (resource) => {
    if (resource.status === 'entered-in-error') return false;
    const condition = conditionOf(resource.resourceType as string);
    return !condition || search.matches(condition, resource as { resourceType: string });
  };
}
