import { expect } from 'chai';
import type { OperationOutcomeIssue } from '../../../server/fhir/outcome.ts';
import { createResourceValidator, type ResourceValidator } from '../../../server/fhir/validation/index.ts';

let shared: ResourceValidator | undefined;

/** One validator for all validation tests, so each resource type is compiled once per run. */
export function validator(): ResourceValidator {
  shared ??= createResourceValidator();
  return shared;
}

export function validate(resource: unknown, expectedType?: string): OperationOutcomeIssue[] {
  return validator().validate(resource, expectedType === undefined ? {} : { expectedType });
}

/** Asserts exactly one issue, at `expression` with `code`, and returns it. */
export function expectSingleIssue(
  issues: OperationOutcomeIssue[],
  code: OperationOutcomeIssue['code'],
  expression: string,
): OperationOutcomeIssue {
  expect(issues, JSON.stringify(issues)).to.have.length(1);
  const [issue] = issues as [OperationOutcomeIssue];
  expect(issue).to.include({ severity: 'error', code });
  expect(issue.expression).to.deep.equal([expression]);
  expect(issue.diagnostics).to.be.a('string').and.not.equal('');
  return issue;
}

/** Asserts that some issue has `code` at `expression`, and returns it. */
export function expectIssue(
  issues: OperationOutcomeIssue[],
  code: OperationOutcomeIssue['code'],
  expression: string,
): OperationOutcomeIssue {
  const issue = issues.find((i) => i.code === code && i.expression?.[0] === expression);
  expect(issue, `no ${code} issue at ${expression} in ${JSON.stringify(issues)}`).to.not.equal(undefined);
  return issue as OperationOutcomeIssue;
}

export const minimalObservation = {
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'weight' },
};
