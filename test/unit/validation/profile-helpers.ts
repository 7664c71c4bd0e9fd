import { readFileSync, readdirSync } from 'node:fs';
import { parseFhirXml } from '../../../server/fhir/format/xml/index.ts';
import {
  createProfileValidator,
  type ProfileValidator,
} from '../../../server/fhir/validation/profiles/index.ts';
import type { OperationOutcomeIssue } from '../../../server/fhir/outcome.ts';

export const NL = 'http://nictiz.nl/fhir/StructureDefinition/';
export const EXAMPLES = new URL('../../fixtures/nictiz/zib2020-examples/', import.meta.url);

let shared: ProfileValidator | undefined;
export function profiles(): ProfileValidator {
  shared ??= createProfileValidator();
  return shared;
}

export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.xml'))
    .sort();
}

export function example(file: string): any {
  return parseFhirXml(readFileSync(new URL(file, EXAMPLES), 'utf8'));
}

export function errors(issues: OperationOutcomeIssue[] | undefined): OperationOutcomeIssue[] {
  if (!issues) throw new Error('profile not loaded');
  return issues.filter((i) => i.severity === 'error');
}
