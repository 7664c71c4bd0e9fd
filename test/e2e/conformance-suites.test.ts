import { expect } from 'chai';
import { runSuites } from '../../conformance/runner/run-suites.ts';
import { CONFORMANCE_TOKENS_FILE, SUITES, suiteProblems, WAIVERS } from '../../conformance/suites.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';

/**
 * The conformance suites CI runs (conformance/suites.ts), over HTTP against a real server with
 * the conformance token configuration: no assert may fail, at least the suite's recorded
 * number must pass, and only waived asserts may be skipped.
 */
describe('conformance suites (TestScripts against the running server)', function () {
  this.timeout(300_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer({}, { config: { conformanceTokensFile: CONFORMANCE_TOKENS_FILE } });
  });
  after(async () => server?.close());

  for (const suite of SUITES) {
    it(`${suite.name}: passes`, async () => {
      const report: string[] = [];
      const { counts } = await runSuites({
        ...suite,
        bases: [server.base],
        authorization: server.authorization,
        waivers: WAIVERS,
        print: (t) => report.push(t),
      });
      const notPassed = report.filter((l) => /^\s+(FAIL|ERR |skip)/m.test(l));
      expect(suiteProblems(suite, counts), notPassed.join('\n').slice(0, 4000)).to.deep.equal([]);
    });
  }
});
