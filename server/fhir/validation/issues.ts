import type { OperationOutcomeIssue } from '../outcome.ts';

export const MAX_ISSUES = 50;

export function validationError(
  code: OperationOutcomeIssue['code'],
  diagnostics: string,
  expression: string,
): OperationOutcomeIssue {
  return { severity: 'error', code, diagnostics, expression: [expression] };
}

/** Quotes a value for a diagnostics message without echoing an entire narrative back. */
export function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Drops issues repeated at the same location with the same code (the schema and a rule may both
 * catch a bad id; the later, rule-specific message wins) and caps the list so a pathological
 * payload cannot produce an unbounded OperationOutcome.
 */
export function finalizeIssues(issues: OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  const unique = new Map<string, OperationOutcomeIssue>();
  for (const issue of issues) {
    unique.set(`${issue.code}|${(issue.expression ?? []).join(',')}|${issue.severity}`, issue);
  }
  const all = [...unique.values()];
  if (all.length <= MAX_ISSUES) return all;
  const kept = all.slice(0, MAX_ISSUES - 1);
  kept.push({
    severity: 'information',
    code: 'too-costly',
    diagnostics: `${all.length - kept.length} further validation issues were not reported`,
  });
  return kept;
}
