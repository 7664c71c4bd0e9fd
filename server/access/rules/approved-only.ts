import type { SearchEngine } from '../../fhir/search/engine.ts';
import { and, not, or, TRUE, typeIn } from '../../fhir/search/conditions.ts';
import type { Condition } from '../../fhir/search/types.ts';
import { heldBy } from './treatment-relationship.ts';

/**
 * What counts as approved ("geaccordeerd door de medisch specialist", seed 002): per type, the
 * search criteria of a row a clinician signed off. Types without such a status only leave out
 * what was entered in error. Search criteria, so the SQL and the in-memory twin are one rule
 * (RiskAssessment and DetectedIssue have no status search parameter in R4: not covered).
 */
export const APPROVED_CRITERIA: Readonly<Record<string, string>> = {
  AllergyIntolerance: 'verification-status=confirmed,refuted',
  Condition: 'verification-status=confirmed,refuted',
  Observation: 'status=final,amended,corrected',
  DiagnosticReport: 'status=final,amended,corrected,appended',
  Composition: 'status=final,amended',
  DocumentReference: 'status=current&doc-status:not=preliminary&doc-status:not=entered-in-error',
  Procedure: 'status=preparation,in-progress,on-hold,stopped,completed',
  // Orders and plans still being drawn up.
  MedicationRequest: 'status:not=draft&status:not=entered-in-error',
  ServiceRequest: 'status:not=draft&status:not=entered-in-error',
  CarePlan: 'status:not=draft&status:not=entered-in-error',
  NutritionOrder: 'status:not=draft&status:not=entered-in-error',
  // Assessments and findings before they are final.
  ClinicalImpression: 'status=completed',
  FamilyMemberHistory: 'status=completed,health-unknown',
  QuestionnaireResponse: 'status=completed,amended',
  ImagingStudy: 'status=available',
  Media: 'status=completed',
};

/**
 * Rows held by an organisation that discloses only approved data (`ACCESS_APPROVED_ONLY`: the
 * hospitals of the caregiver portal), to anyone outside it, only when approved: a provisional
 * diagnosis or a preliminary result stays inside the hospital until it is signed off, through
 * every path (searches, reads, includes, the portal's screens). The caller's own organisation's
 * rows are never held back by it.
 */
export function approvedOnlyCondition(
  search: SearchEngine,
  holders: readonly string[],
  own: readonly string[],
): (type: string | undefined) => Condition {
  const others = holders.filter((h) => !own.includes(h));
  if (others.length === 0) return () => TRUE;
  const heldByOthers: Condition = or(others.map(heldBy));
  const approved = (type: string): Condition => {
    const query = APPROVED_CRITERIA[type];
    return query ? search.criteria(type, query, '').condition : TRUE;
  };
  const cache = new Map<string, Condition>();
  return (type) => {
    const key = type ?? '*';
    if (!cache.has(key)) {
      const ok =
        type !== undefined
          ? approved(type)
          : or([
              not(typeIn(Object.keys(APPROVED_CRITERIA))),
              ...Object.keys(APPROVED_CRITERIA).map((t) => and([typeIn([t]), approved(t)])),
            ]);
      cache.set(key, or([not(heldByOthers), ok]));
    }
    return cache.get(key)!;
  };
}
