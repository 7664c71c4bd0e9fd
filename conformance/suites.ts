import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteOptions } from './runner/run-suites.ts';
import type { Waiver } from './runner/state.ts';

/** The TestScript sets CI runs against Zorgpoort, shared by `npm run conformance:ci` and the e2e test. */
const ROOT = new URL('.', import.meta.url).pathname;
const IMMUNIZATION = join(ROOT, 'nictiz/Immunization-2-0-Test');
const MP9 = join(ROOT, 'nictiz/MP9-one-patient-Test');
const CORRECTIONS = join(ROOT, 'nictiz/PatientCorrections-1-0-Test');

/**
 * The server's conformance configuration: Nictiz's full `Configuration/QualificationTokens.json`
 * (192 entries, vendored with the PatientCorrections set), which holds the Immunization set's
 * tokens too, each mapped to its patient.
 */
export const CONFORMANCE_TOKENS_FILE = join(CORRECTIONS, 'Configuration/QualificationTokens.json');

export const WAIVERS = JSON.parse(readFileSync(join(ROOT, 'waivers.json'), 'utf8')) as Waiver[];

export interface Suite extends Omit<SuiteOptions, 'bases'> {
  name: string;
  /**
   * Asserts that passed when the suite was last counted: a run with fewer has lost scripts or
   * stopped evaluating something, which a count of failures alone would not show.
   */
  minimumPassed: number;
}

/** A suite's verdict beyond "nothing failed": enough passed, and only waived asserts skipped. */
export function suiteProblems(
  suite: Suite,
  counts: { passed: number; failed: number; skipped: number },
): string[] {
  const problems: string[] = [];
  if (counts.failed > 0) problems.push(`${counts.failed} assert(s) failed`);
  if (counts.passed < suite.minimumPassed)
    problems.push(`${counts.passed} passed, expected at least ${suite.minimumPassed}`);
  if (counts.skipped > WAIVERS.length)
    problems.push(`${counts.skipped} skipped, but only ${WAIVERS.length} asserts are waived`);
  return problems;
}

export const SUITES: Suite[] = [
  {
    name: 'HL7 R4 example TestScripts',
    minimumPassed: 55,
    scripts: [join(ROOT, 'hl7')],
    // The search script asks the tester for a known family and given name.
    vars: new Map([
      ['PatientSearchFamilyName', 'Chalmers'],
      ['PatientSearchGivenName', 'Peter'],
    ]),
  },
  {
    name: 'Nictiz Immunization 2.0 (MedMij XIS-Server, CheckContent)',
    minimumPassed: 699,
    scripts: [
      join(IMMUNIZATION, '_LoadResources'),
      join(IMMUNIZATION, 'XIS-Server'),
      join(IMMUNIZATION, 'XIS-Server-CheckContent'),
    ],
  },
  {
    name: 'Nictiz MP9 3.0.0-beta, one patient (R. van XXX_Sonnenberg)',
    // 2,116 asserts of the 92 scripts and the 68 fixture loads.
    minimumPassed: 2184,
    load: [join(MP9, '_reference/fixtures')],
    scripts: [MP9],
  },
  {
    name: 'Nictiz PatientCorrections 1.0 (MedMij XIS-Server)',
    // 5 asserts of the load script and 20 of each of the 4 scripts (scenarios 1 and 2, JSON and XML).
    minimumPassed: 85,
    scripts: [join(CORRECTIONS, '_LoadResources'), join(CORRECTIONS, 'XIS-Server')],
  },
];
