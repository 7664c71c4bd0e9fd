import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { cliEnv, startTestServer, type TestServer } from '../support/harness.ts';

const run = promisify(execFile);
type Json = Record<string, any>;

/** `npm run audit -- export`: the access log as NDJSON for an external store, beside a running server. */
describe('npm run audit -- export', function () {
  this.timeout(120_000);
  let dir: string;
  let server: TestServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-export-'));
    const tokens = join(dir, 'tokens.json');
    writeFileSync(tokens, JSON.stringify([{ accessToken: 'Bearer export-anna', resourceId: 'anna' }]));
    server = await startTestServer(
      {},
      { pgliteDataDir: join(dir, 'pglite'), config: { conformanceTokensFile: tokens } },
    );
    for (const id of ['anna', 'bram']) {
      const res = await server.fetch(`Patient/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ resourceType: 'Patient', id }),
      });
      expect(res.status).to.equal(201);
      expect((await server.fetch(`Patient/${id}`)).status).to.equal(200);
    }
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const exportLog = async (...args: string[]) => {
    const env = cliEnv(server);
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'server/cli/audit.ts', 'export', ...args],
      { env },
    );
    return {
      events: stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Json),
      stderr,
    };
  };
  const mentions = (e: Json, ref: string) => JSON.stringify(e).includes(`"reference":"${ref}"`);

  it('writes one AuditEvent a line, only the patient’s with --patient, and the export is logged', async () => {
    const all = await exportLog();
    expect(all.events.length).to.be.greaterThan(3);
    expect(all.events.every((e) => e.resourceType === 'AuditEvent')).to.equal(true);
    expect(all.stderr).to.match(/exported \d+ AuditEvent\(s\)/);

    const annas = await exportLog('--patient', 'anna', '--from', '2000-01-01');
    expect(annas.events.length).to.be.greaterThan(0);
    expect(annas.events.every((e) => mentions(e, 'Patient/anna'))).to.equal(true);
    expect(annas.events.some((e) => mentions(e, 'Patient/bram'))).to.equal(false);

    const log = (await (
      await server.fetch('AuditEvent?patient=anna&_count=1000', {
        headers: { authorization: 'Bearer export-anna' },
      })
    ).json()) as Json;
    const exports = log.entry
      .map((e: Json) => e.resource)
      .filter((e: Json) => e.agent.some((a: Json) => a.who?.display === 'npm run audit'));
    expect(exports.length, 'the export about anna is in her log').to.equal(1);
  });

  it('an empty range exports nothing, and a malformed date is refused naming it', async () => {
    expect((await exportLog('--to', '2000-01-01')).events).to.deep.equal([]);
    const bad = await exportLog('--from', 'yesterday').catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).to.equal(1);
    expect((bad as { stderr: string }).stderr).to.match(/date/);
  });
});
