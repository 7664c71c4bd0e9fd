import { expect } from 'chai';
import { summaryLine } from '../../conformance/runner/report.ts';
import { runSuites } from '../../conformance/runner/run-suites.ts';
import { CONFORMANCE_TOKENS_FILE, SUITES, WAIVERS } from '../../conformance/suites.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';

/**
 * The conformance suites CI runs (conformance/suites.ts), over HTTP against a real server with
 * the conformance token configuration. Any failed assert fails the test; a suite must also
 * run at least the asserts it ran when this was written, so a runner that silently stopped
 * evaluating (or a script set that lost files) cannot pass.
 */
const MINIMUM_PASSED: Record<string, number> = {
  'HL7 R4 example TestScripts': 55,
  'Nictiz Immunization 2.0 (MedMij XIS-Server, CheckContent)': 699,
  // 2,116 asserts of the 92 scripts and the 68 fixture loads.
  'Nictiz MP9 3.0.0-beta, one patient (R. van XXX_Sonnenberg)': 2184,
};

describe('conformance suites (TestScripts against the running server)', function () {
  this.timeout(300_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer({}, { config: { conformanceTokensFile: CONFORMANCE_TOKENS_FILE } });
  });
  after(async () => server?.close());

  for (const suite of SUITES) {
    it(`${suite.name}: no assert fails`, async () => {
      const report: string[] = [];
      const { counts } = await runSuites({
        ...suite,
        bases: [server.base],
        waivers: WAIVERS,
        print: (t) => report.push(t),
      });
      const failures = report.filter((l) => /^\s+(FAIL|ERR )/m.test(l));
      expect(counts.failed, failures.join('\n').slice(0, 4000)).to.equal(0);
      expect(counts.passed, summaryLine(counts)).to.be.at.least(MINIMUM_PASSED[suite.name]!);
      // Only the waived asserts may be skipped; each has its reason in conformance/waivers.json.
      expect(counts.skipped, report.join('\n').slice(0, 4000)).to.be.at.most(WAIVERS.length);
    });
  }
});
