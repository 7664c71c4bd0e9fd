import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { importJWK, type JWK } from 'jose';
import { cliEnv, startTestServer, type TestServer } from '../support/harness.ts';
import { backendToken, backendTokenResponse, type BackendClient } from '../support/smart-backend.ts';

const run = promisify(execFile);

/** `npm run clients`: keygen, register, list, revoke against the server's database. */
describe('SMART client management CLI', function () {
  this.timeout(120_000);
  let dir: string;
  let server: TestServer;
  const postgres = Boolean(process.env.DATABASE_URL);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smart-cli-'));
    server = await startTestServer({}, { pgliteDataDir: join(dir, 'pglite') });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    const env = cliEnv(server);
    // Beside the running server on both databases: on PGlite the server carries the command out.
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'server/cli/clients.ts', ...args],
      {
        env,
      },
    );
    if (args[0] !== 'keygen') {
      expect(stderr.includes('runs this command'), 'forwarded to the server exactly on PGlite').to.equal(
        !postgres,
      );
    }
    return stdout;
  };

  it('keygen, register a backend client, get a token with the key, list, revoke', async () => {
    const keys = JSON.parse(await cli('keygen')) as { privateJwk: JWK; publicJwks: { keys: JWK[] } };
    expect(keys.privateJwk).to.have.property('d');
    expect(keys.publicJwks.keys[0]).to.not.have.property('d');
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(keys.publicJwks));

    const registered = JSON.parse(
      await cli(
        'register',
        '--name',
        'HIS Ziekenhuis',
        '--jwks-file',
        jwksFile,
        '--scope',
        'system/*.rs',
        '--organization',
        'Organization/zh-1',
      ),
    ) as { client_id: string; kind: string };
    expect(registered.kind).to.equal('backend');

    const client: BackendClient = {
      clientId: registered.client_id,
      privateKey: (await importJWK(keys.privateJwk, 'ES384')) as CryptoKey,
      jwk: keys.publicJwks.keys[0]!,
      alg: 'ES384',
    };
    const token = await backendToken(server, client, 'system/Patient.rs');
    const principal = await server.app.smart.principalFor(token);
    expect(principal).to.deep.include({ kind: 'system', organizationId: 'zh-1' });
    const api = () => server.fetch('Patient', { headers: { authorization: `Bearer ${token}` } });
    expect((await api()).status).to.equal(200);

    // `token`: what the client itself does, against the running server.
    const keyFile = join(dir, 'key.json');
    writeFileSync(keyFile, JSON.stringify(keys));
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'server/cli/clients.ts', 'token', '--base', server.base, '--client-id'],
      { env: { ...process.env, LOG_LEVEL: 'silent' } },
    ).catch((e: { stderr: string; stdout: string }) => e);
    expect(stdout, 'token without --key refuses').to.equal('');
    const issued = await run(
      process.execPath,
      [
        ...['--import', 'tsx', 'server/cli/clients.ts', 'token', '--base', server.base],
        ...['--client-id', registered.client_id, '--key', keyFile, '--scope', 'system/Patient.rs'],
      ],
      { env: { ...process.env, LOG_LEVEL: 'silent' } },
    );
    const cliToken = issued.stdout.trim();
    expect(
      (await server.fetch('Patient', { headers: { authorization: `Bearer ${cliToken}` } })).status,
    ).to.equal(200);

    const list = await cli('list');
    expect(list).to.match(new RegExp(`${registered.client_id}\\tbackend\\tactive\\tHIS Ziekenhuis`));

    expect(await cli('revoke', registered.client_id)).to.contain('revoked');
    expect(await cli('list')).to.match(new RegExp(`${registered.client_id}\\tbackend\\trevoked`));
    expect((await api()).status).to.equal(401);
    expect((await backendTokenResponse(server, client, 'system/Patient.rs')).status).to.equal(401);
  });

  it('registers a confidential app (secret shown once) and a public one', async () => {
    const app = JSON.parse(
      await cli(
        'register',
        '--name',
        'App',
        '--redirect-uri',
        'https://app.example/cb',
        '--scope',
        'patient/*.rs',
      ),
    ) as Record<string, string>;
    expect(app).to.include({ kind: 'confidential' });
    expect(app.client_secret).to.be.a('string');
    const pub = JSON.parse(
      await cli(
        'register',
        '--name',
        'PGO',
        '--redirect-uri',
        'https://pgo.example/cb',
        '--scope',
        'patient/*.rs',
        '--public',
      ),
    ) as Record<string, string>;
    expect(pub).to.include({ kind: 'public' });
    expect(pub).to.not.have.property('client_secret');
  });

  it('refuses a registration without keys or redirect URI, and a private JWKS', async () => {
    const err = await cli('register', '--name', 'X', '--scope', 'system/*.rs').catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).to.include({ code: 2 });
    const privateFile = join(dir, 'private.json');
    writeFileSync(privateFile, JSON.stringify({ keys: [{ kty: 'EC', d: 'secret' }] }));
    const priv = await cli(
      'register',
      '--name',
      'X',
      '--jwks-file',
      privateFile,
      '--scope',
      'system/*.rs',
    ).catch((e: { code: number; stderr: string }) => e);
    expect((priv as { stderr: string }).stderr).to.contain('private key');
  });
});
