import { startProcess } from '../bench/lib/processes.ts';
import { summaryLine } from './runner/report.ts';
import { runSuites } from './runner/run-suites.ts';
import { CONFORMANCE_TOKENS_FILE, SUITES, suiteProblems, WAIVERS } from './suites.ts';

/**
 * `npm run conformance:ci`: starts the server as an operator would (`server/main.ts`, in-memory
 * PGlite, the conformance token file), runs every suite of suites.ts against it over HTTP and
 * exits 1 if any assert failed, fewer passed than the suite's minimum, or more were skipped than waived.
 */
const server = await startProcess({
  script: 'server/main.ts',
  env: { PGLITE_DATA_DIR: 'memory://', CONFORMANCE_TOKENS_FILE, LOG_LEVEL: 'warn', DATABASE_URL: '' },
  logFile: '/tmp/zorgpoort-conformance-server.log',
  readyPath: '/readyz',
});
let failed = 0;
try {
  for (const suite of SUITES) {
    console.log(`\n== ${suite.name}`);
    const { counts } = await runSuites({ ...suite, bases: [server.url], waivers: WAIVERS });
    const problems = suiteProblems(suite, counts);
    console.log(
      `== ${suite.name}: ${summaryLine(counts)}${problems.length ? ` — NOT OK: ${problems.join('; ')}` : ''}`,
    );
    failed += problems.length;
  }
} finally {
  await server.stop();
}
process.exit(failed > 0 ? 1 : 0);
