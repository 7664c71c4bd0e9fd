import { expect } from 'chai';
import { generateKeyPair } from 'jose';
import { loadConfig } from '../../server/config.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';
import {
  backendToken,
  backendTokenResponse,
  clientAssertion,
  registerBackendClient,
  type BackendClient,
} from '../support/smart-backend.ts';

/** SMART Backend Services: client_credentials with a private_key_jwt assertion (Inferno's checks). */
describe('SMART backend services', function () {
  let server: TestServer;
  let client: BackendClient;
  before(async () => {
    // The operator's defaults (the harness lengthens backend tokens for its own caller).
    server = await startTestServer({}, { config: { smart: loadConfig({}).smart } });
    client = await registerBackendClient(server, {
      scope: 'system/Patient.rs system/Observation.cruds',
      organizationId: 'ziekenhuis-1',
    });
  });
  after(() => server?.close());

  const bearer = (token: string) => ({
    headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
  });
  const error = async (res: Response) => ((await res.json()) as { error: string }).error;

  it('issues a short-lived token with the requested system scopes, no-store, and a system principal', async () => {
    const res = await backendTokenResponse(server, client, 'system/Patient.rs');
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.contain('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).to.include({ token_type: 'Bearer', scope: 'system/Patient.rs' });
    expect(body.expires_in).to.be.within(1, 300);
    const principal = await server.app.smart.principalFor(body.access_token as string);
    expect(principal).to.deep.equal({
      kind: 'system',
      clientId: client.clientId,
      organizationId: 'ziekenhuis-1',
      via: 'smart-backend',
      smart: { clientId: client.clientId, scope: 'system/Patient.rs' },
    });
    expect((await server.fetch('Patient', bearer(body.access_token as string))).status).to.equal(200);
  });

  it('the token scopes narrow the API: a type outside them is refused', async () => {
    const token = await backendToken(server, client, 'system/Patient.rs');
    const res = await server.fetch('Condition', bearer(token));
    expect(res.status).to.equal(403);
  });

  it('scopes beyond the registration are not granted, and user/patient scopes never are', async () => {
    const res = await backendTokenResponse(
      server,
      client,
      'system/Patient.rs system/Condition.rs user/Patient.rs',
    );
    const body = (await res.json()) as { scope: string };
    expect(body.scope).to.equal('system/Patient.rs');
  });

  it('a JWKS URL on a loopback or private address is never fetched (SSRF guard): refused', async () => {
    const { createServer } = await import('node:http');
    let fetched = 0;
    const keys = createServer((_req, res) => {
      fetched++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [client.jwk] }));
    });
    await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = keys.address() as { port: number };
      const { client: registered } = await server.app.smart.clients.register({
        name: 'by URL',
        scope: 'system/Patient.rs',
        jwksUri: `http://127.0.0.1:${port}/jwks.json`,
      });
      const byUrl = { ...client, clientId: registered.clientId };
      expect((await backendTokenResponse(server, byUrl, 'system/Patient.rs')).status).to.equal(401);
      expect(fetched).to.equal(0);
    } finally {
      await new Promise((resolve) => keys.close(resolve));
    }
  });

  it('refuses an assertion signed with another key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const res = await backendTokenResponse(
      server,
      client,
      'system/Patient.rs',
      await clientAssertion(server, client, { key: privateKey }),
    );
    expect(res.status).to.equal(401);
    expect(await error(res)).to.equal('invalid_client');
  });

  it('refuses an expired assertion', async () => {
    const exp = Math.floor(Date.now() / 1000) - 120;
    const res = await backendTokenResponse(
      server,
      client,
      'system/Patient.rs',
      await clientAssertion(server, client, { exp }),
    );
    expect(res.status).to.equal(401);
  });

  it('refuses an assertion that expires more than five minutes ahead, saying why', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const exp of [now + 3600, now + 365 * 24 * 3600, now + 330]) {
      const res = await backendTokenResponse(
        server,
        client,
        'system/Patient.rs',
        await clientAssertion(server, client, { exp }),
      );
      expect(res.status, `exp = now + ${exp - now}`).to.equal(401);
      const body = (await res.json()) as { error: string; error_description: string };
      expect(body.error).to.equal('invalid_client');
      expect(body.error_description).to.match(/exp is \d+ seconds in the future; at most 300 is allowed/);
    }
  });

  it('accepts an assertion that expires within five minutes (a few seconds of clock skew allowed)', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const exp of [now + 60, now + 240, now + 300, now + 310]) {
      const res = await backendTokenResponse(
        server,
        client,
        'system/Patient.rs',
        await clientAssertion(server, client, { exp }),
      );
      expect(res.status, `exp = now + ${exp - now}`).to.equal(200);
    }
  });

  it('refuses an assertion for another audience', async () => {
    const res = await backendTokenResponse(
      server,
      client,
      'system/Patient.rs',
      await clientAssertion(server, client, { aud: 'https://elsewhere.example/token' }),
    );
    expect(res.status).to.equal(401);
  });

  it('refuses a replayed assertion (the same jti twice)', async () => {
    const assertion = await clientAssertion(server, client, { jti: 'once-only' });
    expect((await backendTokenResponse(server, client, 'system/Patient.rs', assertion)).status).to.equal(200);
    const again = await backendTokenResponse(server, client, 'system/Patient.rs', assertion);
    expect(again.status).to.equal(401);
  });

  it('refuses an unknown client', async () => {
    const stranger = { ...client, clientId: 'no-such-client' };
    const res = await backendTokenResponse(server, stranger, 'system/Patient.rs');
    expect(res.status).to.equal(401);
    expect(await error(res)).to.equal('invalid_client');
  });

  it('a revoked client gets no tokens and its tokens stop working', async () => {
    const other = await registerBackendClient(server, { scope: 'system/Patient.rs' });
    const token = await backendToken(server, other);
    expect((await server.fetch('Patient', bearer(token))).status).to.equal(200);
    expect(await server.app.smart.clients.revoke(other.clientId)).to.equal(true);
    expect((await server.fetch('Patient', bearer(token))).status).to.equal(401);
    expect((await backendTokenResponse(server, other, 'system/Patient.rs')).status).to.equal(401);
  });
});
