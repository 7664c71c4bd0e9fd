import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { expectIssue, validate } from './helpers.ts';

const DIR = new URL('../../fixtures/r4/examples/', import.meta.url);

/** Official examples that break the core specification; see the cases below. */
const KNOWN_INVALID = new Set(['DiagnosticReport-gingival-mass.json', 'Questionnaire-qs1.json']);

const files = readdirSync(DIR).filter((name) => name.endsWith('.json'));
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, DIR), 'utf8'));

describe('validation: official FHIR R4 examples', () => {
  it('includes all 704 examples', () => {
    expect(files).to.have.length(704);
  });

  for (const name of files.filter((file) => !KNOWN_INVALID.has(file))) {
    it(`accepts ${name}`, () => {
      const resource = load(name) as { resourceType: string };
      expect(validate(resource, resource.resourceType)).to.deep.equal([]);
    });
  }

  it('rejects DiagnosticReport-gingival-mass.json (NBSP in a string)', () => {
    const issues = validate(load('DiagnosticReport-gingival-mass.json'));
    const issue = expectIssue(issues, 'value', 'DiagnosticReport.resultsInterpreter[0].display');
    expect(issue.diagnostics).to.match(
      /is not a valid FHIR string: it contains the whitespace character U\+00A0$/,
    );
    expect(issues).to.have.length(1);
  });

  // Questionnaire.item.linkId is 1..1 in R4, but this generated example has display items without one.
  it('rejects Questionnaire-qs1.json (items without the required linkId)', () => {
    const issues = validate(load('Questionnaire-qs1.json'));
    expectIssue(issues, 'required', 'Questionnaire.item[0].item[0].linkId');
    for (const issue of issues.filter((i) => i.severity === 'error')) {
      expect(issue.code).to.equal('required');
      expect(issue.expression?.[0]).to.match(/^Questionnaire(\.item\[\d+\])+\.linkId$/);
    }
  });
});
