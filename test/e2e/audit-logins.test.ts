import { expect } from 'chai';
import { generateKeyPair } from 'jose';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { auditorOf, LOGIN_SUBTYPE, withAuditRefused } from '../support/auditor.ts';
import {
  backendToken,
  backendTokenResponse,
  clientAssertion,
  registerBackendClient,
} from '../support/smart-backend.ts';

type Json = Record<string, any>;

/**
 * Logins are in the access log (NEN 7513): who, when, from where, by what means, accepted or
 * refused and why. Refused API credentials and token requests are recorded with what they
 * presented; nothing secret (the token itself) is kept. The UZI-pas and SAML logins are checked
 * in their own suites (smart-uzi-login, saml-login).
 */
describe('audit: logins and refused credentials are in the access log', function () {
  this.timeout(60_000);
  let server: TestServer;
  let auditor: Awaited<ReturnType<typeof auditorOf>>;

  const logins = (query = '') => auditor.search(`subtype=${LOGIN_SUBTYPE}&_count=500${query}`);
  /**
   * The token endpoint's events are written as oidc-provider reports them, just after it answers:
   * an auditor may look a moment too soon.
   */
  const eventually = async (query: string, test: (e: Json) => boolean) => {
    for (let i = 0; i < 40; i++) {
      const found = (await logins(query)).find(test);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    return undefined;
  };
  const method = (e: Json) =>
    e.subtype.find((s: Json) => s.system === 'http://zorgpoort.nl/fhir/CodeSystem/login-method')?.code;
  const client = (e: Json) => e.agent.find((a: Json) => a.type.coding[0].code === '110153')?.who;

  before(async () => {
    server = await startTestServer();
    auditor = await auditorOf(server);
  });
  after(() => server?.close());

  it('an unknown bearer token: 401, and a refused login with its reason and address, without the token', async () => {
    const secret = `not-a-token-${crypto.randomUUID()}`;
    const res = await server.fetchBare('Patient', { headers: { authorization: `Bearer ${secret}` } });
    expect(res.status).to.equal(401);
    const event = (await logins('&outcome=4')).find(
      (e: Json) => method(e) === 'bearer-token' && /not valid/.test(e.outcomeDesc),
    );
    expect(event, 'the refused token').to.not.equal(undefined);
    expect(event.type.code).to.equal('110114');
    expect(event.outcome).to.equal('4');
    expect(event.agent[0].network.address).to.match(/127\.0\.0\.1/);
    expect(JSON.stringify(event)).to.not.contain(secret);
  });

  it('a request without credentials is not a login attempt: nothing is logged for it', async () => {
    const before = (await logins()).length;
    expect((await server.fetchBare('Patient')).status).to.equal(401);
    expect((await logins()).length).to.equal(before);
  });

  it('a token request with an assertion signed by another key: refused, logged with the client it named', async () => {
    const backend = await registerBackendClient(server, { scope: 'system/Patient.rs' });
    const { privateKey } = await generateKeyPair('ES256');
    const res = await backendTokenResponse(
      server,
      backend,
      'system/Patient.rs',
      await clientAssertion(server, backend, { key: privateKey }),
    );
    expect(res.status).to.equal(401);
    const event = await eventually(
      '&outcome=4',
      (e: Json) => method(e) === 'client_credentials' && client(e)?.identifier?.value === backend.clientId,
    );
    expect(event, 'the refused token request').to.not.equal(undefined);
    expect(event.outcomeDesc).to.match(/invalid_client/);
    expect(
      event.agent.some((a: Json) => a.requestor === true && a.type.coding[0].code === '110153'),
    ).to.equal(true);
  });

  it('an accepted token request is the system’s login: outcome 0, with its client id', async () => {
    const backend = await registerBackendClient(server, { scope: 'system/Patient.rs' });
    await backendToken(server, backend);
    const event = await eventually(
      '&outcome=0',
      (e: Json) => method(e) === 'client_credentials' && client(e)?.identifier?.value === backend.clientId,
    );
    expect(event, 'the accepted token request').to.not.equal(undefined);
    expect(event.outcomeDesc).to.equal(undefined);
  });

  it('login events are the auditor’s: a hospital system reading AuditEvents finds none', async () => {
    const scope = 'system/*.rs';
    const other = `Bearer ${await backendToken(server, await registerBackendClient(server, { scope }), scope)}`;
    const res = await server.fetchBare(`AuditEvent?subtype=${LOGIN_SUBTYPE}`, {
      headers: { authorization: other, accept: 'application/fhir+json' },
    });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as Json;
    expect(body.entry ?? [], JSON.stringify(body).slice(0, 300)).to.have.length(0);
  });

  it('a refused token on the EHR launch endpoint is logged like one on the API', async () => {
    const res = await server.fetchBare('oauth/launch', {
      method: 'POST',
      headers: {
        authorization: 'Bearer launch-attempt-with-a-token-nobody-issued',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ patient: 'p1' }),
    });
    expect(res.status).to.equal(401);
    const events = (await logins('&outcome=4')).filter((e: Json) => method(e) === 'bearer-token');
    expect(events.length, 'the API refusal of the first test and this one').to.equal(2);
  });

  it('a flood of refused tokens from one address: every request is refused, twenty are logged one by one', async () => {
    const before = (await logins('&outcome=4')).filter((e: Json) => method(e) === 'bearer-token').length;
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        server.fetchBare('Patient', {
          headers: { authorization: `Bearer flood-${i}-abcdefghijklmnopqrstuvwxyz` },
        }),
      ),
    );
    expect(statuses.map((r) => r.status)).to.deep.equal(Array(30).fill(401));
    const after = (await logins('&outcome=4')).filter((e: Json) => method(e) === 'bearer-token').length;
    // Twenty a minute per method and address, one by one; the refusals before count against
    // this minute too, unless it rolled over in between (a slow run).
    expect(after - before).to.be.within(20 - before, 20);
  });

  it('a system’s token is not issued when its login cannot be logged', async () => {
    const backend = await registerBackendClient(server, { scope: 'system/Patient.rs' });
    await withAuditRefused(server, async () => {
      const res = await backendTokenResponse(server, backend, 'system/Patient.rs');
      const body = await res.text();
      expect(res.status, body).to.equal(500);
      expect(body).to.not.contain('access_token');
      expect(JSON.parse(body)).to.deep.include({ error: 'server_error' });
    });
    expect((await backendTokenResponse(server, backend, 'system/Patient.rs')).status).to.equal(200);
  });
});
