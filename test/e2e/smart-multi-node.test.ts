import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import type { Config } from '../../server/config.ts';
import { putResources, startTestServer, type TestServer } from '../support/harness.ts';
import {
  authorizeUrl,
  browse,
  CookieJar,
  formAction,
  pkce,
  REDIRECT_URI,
  registerApp,
  tokenRequest,
  exchangeCode,
} from '../support/smart-flow.ts';

const PUBLIC = 'http://zorgpoort.test';

/**
 * Two server nodes behind one public base URL on one Postgres database: every step of a launch
 * lands on the other node than the step before. Postgres only (PGlite is one process's).
 */
describe('SMART across server nodes', function () {
  let dir: string;
  let a: TestServer;
  let b: TestServer;

  before(async function () {
    if (!process.env.DATABASE_URL) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'smart-nodes-'));
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(
      jwksFile,
      JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: 'shared', alg: 'ES256' }] }),
    );
    const config: Partial<Config> = {
      baseUrl: PUBLIC,
      smart: { devLogin: true, cookieKeys: ['one-secret-for-every-node'], jwksFile },
    };
    a = await startTestServer({}, { config });
    b = await startTestServer({}, { config, reuseDatabaseOf: a });
    await putResources(a, [
      ['Practitioner', 'dr-a', {}],
      ['Patient', 'p1', { generalPractitioner: [{ reference: 'Practitioner/dr-a' }] }],
    ]);
  });
  after(async () => {
    await b?.close();
    await a?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('authorize, login, consent, token, API, refresh and revocation alternate between the nodes', async () => {
    const app = await registerApp(b, { scope: 'patient/*.rs' });
    let hop = 0;
    const route = (url: URL) => {
      if (url.origin !== PUBLIC) return url;
      const node = hop++ % 2 === 0 ? a : b;
      return new URL(url.pathname + url.search, node.base);
    };
    const publicServer = { base: PUBLIC } as TestServer;
    const jar = new CookieJar();
    const { verifier, challenge } = pkce();
    const login = await browse(
      jar,
      authorizeUrl(publicServer, app, {
        scope: 'openid fhirUser launch/patient offline_access patient/Patient.rs',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { route, stopAt: REDIRECT_URI },
    );
    expect(login.url).to.contain('/oauth/interaction/');
    const consent = await browse(jar, formAction(publicServer, login.text, '/dev-login'), {
      method: 'POST',
      form: { person: 'Practitioner/dr-a' },
      route,
      stopAt: REDIRECT_URI,
    });
    const done = await browse(jar, formAction(publicServer, consent.text, '/confirm'), {
      method: 'POST',
      form: { patient: 'p1' },
      route,
      stopAt: REDIRECT_URI,
    });
    expect(hop).to.be.greaterThan(4);
    const code = new URL(done.url).searchParams.get('code') ?? undefined;
    const issued = await exchangeCode(a, app, code, verifier);
    expect(issued.status, JSON.stringify(issued.body)).to.equal(200);
    expect(decodeJwt(issued.body.id_token)).to.include({
      iss: PUBLIC,
      fhirUser: `${PUBLIC}/Practitioner/dr-a`,
    });
    const read = (node: TestServer, token: string) =>
      node.fetch('Patient/p1', { headers: { authorization: `Bearer ${token}` } });
    expect((await read(b, issued.body.access_token)).status).to.equal(200);

    const refreshed = await tokenRequest(b, app, {
      grant_type: 'refresh_token',
      refresh_token: issued.body.refresh_token,
    });
    expect(refreshed.status).to.equal(200);
    expect((await read(a, refreshed.body.access_token)).status).to.equal(200);

    const revoked = await a.fetch('oauth/revoke', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: refreshed.body.access_token }),
    });
    expect(revoked.status).to.equal(200);
    expect((await read(b, refreshed.body.access_token)).status).to.equal(401);
  });
});
