import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientCredentialsToken, registerWithCli } from '../bench/lib/backend-token.ts';
import { startProcess } from '../bench/lib/processes.ts';
import { summaryLine } from './runner/report.ts';
import { runSuites } from './runner/run-suites.ts';
import { CONFORMANCE_TOKENS_FILE, SUITES, suiteProblems, WAIVERS } from './suites.ts';

/**
 * `npm run conformance:ci`: starts the server as an operator would (`server/main.ts`, PGlite in a
 * temporary directory, the conformance token file), runs every suite of suites.ts against it over
 * HTTP and exits 1 if any assert failed, fewer passed than the suite's minimum, or more were
 * skipped than waived. Requests a script sends without a token of its own (fixture loading) go
 * as a backend client registered with the CLI beforehand, as a hospital system would call.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'zorgpoort-conformance-'));
const dbEnv = { PGLITE_DATA_DIR: dataDir, DATABASE_URL: '' };
const scope = 'system/*.cruds';
// The fixture loader is trusted with the whole server, as a network's integration engine is.
const client = registerWithCli(dbEnv, scope, 'conformance:ci', { trusted: true });
const server = await startProcess({
  script: 'server/main.ts',
  env: { ...dbEnv, CONFORMANCE_TOKENS_FILE, LOG_LEVEL: 'warn' },
  logFile: '/tmp/zorgpoort-conformance-server.log',
  readyPath: '/readyz',
});
let failed = 0;
try {
  for (const suite of SUITES) {
    console.log(`\n== ${suite.name}`);
    // A fresh token per suite: backend tokens live minutes, a long suite must not outlive one.
    const authorization = `Bearer ${await clientCredentialsToken(server.url, client, scope)}`;
    const { counts } = await runSuites({ ...suite, bases: [server.url], authorization, waivers: WAIVERS });
    const problems = suiteProblems(suite, counts);
    console.log(
      `== ${suite.name}: ${summaryLine(counts)}${problems.length ? ` — NOT OK: ${problems.join('; ')}` : ''}`,
    );
    failed += problems.length;
  }
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failed > 0 ? 1 : 0);
