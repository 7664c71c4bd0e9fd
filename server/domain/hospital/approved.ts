import type { Json } from './json.ts';

const codes = (concept: unknown): string[] =>
  ((concept as { coding?: { code?: string }[] } | undefined)?.coding ?? []).flatMap((c) =>
    typeof c.code === 'string' ? [c.code] : [],
  );

/**
 * What the hospital has approved ("geaccordeerd door de medisch specialist", seed 002 §3): the
 * portal shows a row only in a status that says a clinician signed it off. Types that have no
 * such status (a medication agreement, an appointment) only leave out what was entered in error.
 * Each is the search criterion of the view (SQL) where R4 has a search parameter for it, and
 * this check in memory for every row a view answers, so both say the same.
 */
const APPROVED: Record<string, { param?: [string, string]; test: (r: Json) => boolean }> = {
  AllergyIntolerance: {
    param: ['verification-status', 'confirmed,refuted'],
    test: (r) => codes(r.verificationStatus).some((c) => c === 'confirmed' || c === 'refuted'),
  },
  Condition: {
    param: ['verification-status', 'confirmed,refuted'],
    test: (r) => codes(r.verificationStatus).some((c) => c === 'confirmed' || c === 'refuted'),
  },
  Observation: {
    param: ['status', 'final,amended,corrected'],
    test: (r) => ['final', 'amended', 'corrected'].includes(r.status),
  },
  DiagnosticReport: {
    param: ['status', 'final,amended,corrected,appended'],
    test: (r) => ['final', 'amended', 'corrected', 'appended'].includes(r.status),
  },
  Composition: {
    param: ['status', 'final,amended'],
    test: (r) => r.status === 'final' || r.status === 'amended',
  },
  // docStatus has no search parameter in R4: `status=current` in SQL, the rest in memory.
  DocumentReference: {
    param: ['status', 'current'],
    test: (r) =>
      r.status === 'current' && (r.docStatus === undefined || ['final', 'amended'].includes(r.docStatus)),
  },
  Procedure: {
    param: ['status', 'preparation,in-progress,on-hold,stopped,completed'],
    test: (r) => r.status !== 'entered-in-error' && r.status !== 'not-done' && r.status !== 'unknown',
  },
};

/** The search criterion for approved rows of a type, if R4 can express it. */
export function approvedParam(type: string): [string, string] | undefined {
  return APPROVED[type]?.param;
}

/** Whether a row is approved (and never entered in error). */
export function isApproved(resource: Json): boolean {
  const rule = APPROVED[resource.resourceType as string];
  if (rule) return rule.test(resource);
  return resource.status !== 'entered-in-error';
}
