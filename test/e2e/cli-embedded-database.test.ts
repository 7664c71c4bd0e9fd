import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/harness.ts';

const run = promisify(execFile);

/** Runs a CLI script on the PGlite directory `dir`; never throws, returns what it printed. */
async function cli(dir: string, script: string, ...args: string[]) {
  return cliWith({}, dir, script, ...args);
}

async function cliWith(extra: NodeJS.ProcessEnv, dir: string, script: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'silent',
    PGLITE_DATA_DIR: dir,
    PORT: '0',
    ...extra,
  };
  delete env.DATABASE_URL;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * The embedded database is one process's: a server and the CLI never open one directory at the
 * same time. Beside a running server the CLI hands its command to the server; a second server is
 * refused with a message that says what to do.
 */
describe('CLI on the embedded database (PGlite directory)', function () {
  this.timeout(180_000);
  let dir: string;
  let server: TestServer | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-pglite-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const startOn = async () =>
    (server = await startTestServer({}, { pgliteDataDir: dir, config: { databaseUrl: undefined } }));

  it('a second server on the same directory refuses to start, naming the first and what to do', async () => {
    await startOn();
    const second = await cli(dir, 'server/main.ts');
    expect(second.code).to.equal(1);
    expect(second.stderr).to.contain(
      `The embedded database ${dir} is in use by the server (process ${process.pid}`,
    );
    expect(second.stderr).to.contain('Stop it first');
    expect(second.stderr, 'said plainly, no stack trace').to.not.match(/\n\s+at /);
    // The first server still answers.
    expect((await server!.fetch('Patient')).status).to.equal(200);
  });

  it('a second server on the same port and directory is told about the directory, not the port', async () => {
    await startOn();
    const port = new URL(server!.base).port;
    const second = await cliWith({ PORT: port }, dir, 'server/main.ts');
    expect(second.code).to.equal(1);
    expect(second.stderr).to.contain(`is in use by the server (process ${process.pid}`);
    expect(second.stderr).to.not.contain('EADDRINUSE');
  });

  it('a re-index with other SearchParameter files than the running server has is refused with what to do', async () => {
    await startOn();
    const file = join(dir, '..', `${dir.split('/').pop()}-sp.json`);
    writeFileSync(file, JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [] }));
    try {
      const reindex = await cliWith({ SEARCH_PARAMETER_FILES: file }, dir, 'server/cli/reindex.ts');
      expect(reindex.code).to.equal(1);
      expect(reindex.stderr).to.contain('the server was started with SEARCH_PARAMETER_FILES=(none)');
      expect(reindex.stderr).to.contain('restart the server with the new files, then re-index');
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('garbled or unknown requests on the operator socket get a reason and exit code 1', async () => {
    await startOn();
    const socket = (JSON.parse(readFileSync(join(dir, 'zorgpoort.lock'), 'utf8')) as { socket: string })
      .socket;
    expect(statSync(socket).mode & 0o777, 'only the server user may connect').to.equal(0o600);
    for (const request of [
      'garbage',
      'null',
      '{"command":"constructor"}',
      '{"command":"clients","input":{"action":"drop"}}',
    ]) {
      const events = await new Promise<string>((done, fail) => {
        const s = connect(socket);
        let text = '';
        s.on('data', (d) => (text += d.toString()));
        s.on('end', () => done(text));
        s.on('error', fail);
        s.write(`${request}\n`);
      });
      const lines = events
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; code?: number; text?: string });
      expect(lines.at(-1), request).to.deep.equal({ type: 'exit', code: 1 });
      expect(lines[0]?.type, request).to.equal('note');
    }
    expect((await server!.fetch('metadata')).status, 'the server is unharmed').to.equal(200);
  });

  it('beside a running server, a registered client works at once and survives a restart', async () => {
    await startOn();
    const keygen = await cli(dir, 'server/cli/clients.ts', 'keygen');
    const keyFile = join(dir, '..', `${dir.split('/').pop()}-key.json`);
    writeFileSync(keyFile, keygen.stdout);
    try {
      const reg = await cli(
        dir,
        'server/cli/clients.ts',
        'register',
        '--name',
        'HIS',
        '--key',
        keyFile,
        '--scope',
        'system/*.rs',
      );
      expect(reg.code, reg.stderr).to.equal(0);
      expect(reg.stderr).to.contain(`process ${process.pid}, runs this command`);
      const clientId = (JSON.parse(reg.stdout) as { client_id: string }).client_id;
      const token = async () => {
        const t = await cli(
          dir,
          'server/cli/clients.ts',
          'token',
          '--base',
          server!.base,
          '--client-id',
          clientId,
          '--key',
          keyFile,
        );
        expect(t.code, t.stderr).to.equal(0);
        return t.stdout.trim();
      };
      const read = async () =>
        (await server!.fetch('Patient', { headers: { authorization: `Bearer ${await token()}` } })).status;
      expect(await read()).to.equal(200);

      await server!.stop();
      server = await startTestServer({}, { reuseDatabaseOf: server! });
      expect(await read(), 'the registration was written to the directory, not lost').to.equal(200);
    } finally {
      rmSync(keyFile, { force: true });
    }
  });

  it('without a server, the CLI opens the directory itself and releases it', async () => {
    const list = await cli(dir, 'server/cli/clients.ts', 'list');
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stderr).to.not.contain('runs this command');
    await startOn(); // would throw if the CLI had left its lock behind
    expect((await server!.fetch('metadata')).status).to.equal(200);
  });

  it('reindex beside a running server runs in the server and reports its count', async () => {
    await startOn();
    for (const family of ['Jansen', 'de Vries', 'Bakker']) {
      const res = await server!.fetch('Patient', {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ resourceType: 'Patient', name: [{ family }] }),
      });
      expect(res.status).to.equal(201);
    }
    const reindex = await cli(dir, 'server/cli/reindex.ts', 'Patient');
    expect(reindex.code, reindex.stderr).to.equal(0);
    expect(reindex.stderr).to.contain('runs this command');
    expect(reindex.stdout).to.match(/re-index done \(pglite, Patient\): 3 resources in/);
  });

  it('a command the server cannot carry out fails with its reason and exit code 1', async () => {
    await startOn();
    const revoke = await cli(dir, 'server/cli/clients.ts', 'revoke', 'no-such-client');
    expect(revoke.code).to.equal(1);
    expect(revoke.stderr).to.contain('no active client no-such-client');
  });
});
