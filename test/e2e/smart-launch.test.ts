import { expect } from 'chai';
import { readForm } from '../support/saml-browser.ts';
import { decodeJwt } from 'jose';
import { putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';
import {
  authorize,
  authorizeUrl,
  browse,
  CookieJar,
  formAction,
  pkce,
  REDIRECT_URI,
  registerApp,
  tokenRequest,
  type AppClient,
  exchangeCode,
} from '../support/smart-flow.ts';

/** SMART App Launch v2 through the real login pages, after Inferno's STU2.2 checks. */
describe('SMART App Launch (authorization code, introspection, revocation)', function () {
  let server: TestServer;
  let app: AppClient;
  const SCOPE = 'openid fhirUser launch/patient offline_access patient/Patient.rs patient/Observation.rs';

  before(async () => {
    server = await startTestServer({}, { config: { smart: { devLogin: true, cookieKeys: [] } } });
    await putResources(server, [
      ['Practitioner', 'dr-a', {}],
      [
        'Patient',
        'p1',
        {
          name: [{ family: 'Jansen', given: ['Els'] }],
          generalPractitioner: [{ reference: 'Practitioner/dr-a' }],
        },
      ],
      ['Patient', 'p2', { generalPractitioner: [{ reference: 'Practitioner/dr-a' }] }],
      ['Observation', 'o1', { status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' } }],
    ] as const);
    app = await registerApp(server, { scope: 'patient/*.rs user/*.rs' });
  });
  after(() => server?.close());

  const api = (path: string, token: string) =>
    server.fetch(path, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } });

  async function tokens(scope = SCOPE, client = app) {
    const { code, verifier } = await authorize(server, client, {
      scope,
      person: 'Practitioner/dr-a',
      patient: 'p1',
    });
    const res = await exchangeCode(server, client, code, verifier);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res;
  }

  it('discovery: /.well-known/smart-configuration has every required field', async () => {
    const res = await server.fetch('.well-known/smart-configuration');
    expect(res.status).to.equal(200);
    const c = (await res.json()) as Record<string, any>;
    expect(c.issuer).to.equal(server.base);
    for (const f of [
      'jwks_uri',
      'authorization_endpoint',
      'token_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
    ]) {
      expect(c[f]).to.match(new RegExp(`^${server.base}/oauth/`));
    }
    expect(c.grant_types_supported).to.include.members([
      'authorization_code',
      'client_credentials',
      'refresh_token',
    ]);
    expect(c.token_endpoint_auth_methods_supported).to.include('private_key_jwt');
    expect(c.token_endpoint_auth_signing_alg_values_supported).to.include.members(['RS384', 'ES384']);
    expect(c.code_challenge_methods_supported).to.deep.equal(['S256']);
    expect(c.response_types_supported).to.include('code');
    expect(c.scopes_supported).to.include.members([
      'openid',
      'fhirUser',
      'launch',
      'launch/patient',
      'offline_access',
    ]);
    expect(c.capabilities).to.include.members([
      'launch-ehr',
      'launch-standalone',
      'permission-v2',
      'sso-openid-connect',
    ]);
    const jwks = (await (await fetch(c.jwks_uri)).json()) as { keys: object[] };
    expect(jwks.keys).to.have.length.greaterThan(0);
    expect(jwks.keys[0]).to.not.have.property('d');
    const oidc = (await (await server.fetch('.well-known/openid-configuration')).json()) as Record<
      string,
      any
    >;
    expect(oidc.issuer).to.equal(server.base);
    expect(oidc.token_endpoint).to.equal(c.token_endpoint);
  });

  it('a full standalone launch: the caregiver picks the patient; patient, id_token with fhirUser, no-store', async () => {
    const res = await tokens();
    expect(res.headers.get('cache-control')).to.contain('no-store');
    expect(res.body).to.include({ token_type: 'Bearer', patient: 'p1' });
    expect(res.body.scope.split(' ')).to.include.members(SCOPE.split(' '));
    expect(res.body.refresh_token).to.be.a('string');
    const id = decodeJwt(res.body.id_token);
    expect(id).to.include({
      iss: server.base,
      aud: app.clientId,
      fhirUser: `${server.base}/Practitioner/dr-a`,
    });
    expect((await api('Patient/p1', res.body.access_token)).status).to.equal(200);
    // patient/ scopes reach only the patient in context.
    expect((await api('Patient/p2', res.body.access_token)).status).to.equal(404);
    expect((await api('Observation?patient=p1', res.body.access_token)).status).to.equal(200);
  });

  it('the consent page lists patients for a caregiver to choose from', async () => {
    const jar = new CookieJar();
    const { challenge } = pkce();
    const login = await browse(
      jar,
      authorizeUrl(server, app, { scope: SCOPE, code_challenge: challenge, code_challenge_method: 'S256' }),
    );
    const consent = await browse(jar, formAction(server, login.text, '/dev-login'), {
      method: 'POST',
      form: { person: 'Practitioner/dr-a' },
    });
    expect(consent.text).to.contain('<select name="patient"');
    expect(consent.text).to.contain('Els Jansen');
    expect(consent.text).to.contain('patient/Observation.rs');
  });

  it('denying on the consent page sends access_denied back to the app, without a code', async () => {
    const jar = new CookieJar();
    const login = await browse(
      jar,
      authorizeUrl(server, app, {
        scope: SCOPE,
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
    );
    const consent = await browse(jar, formAction(server, login.text, '/dev-login'), {
      method: 'POST',
      form: { person: 'Practitioner/dr-a' },
    });
    const denied = await browse(jar, formAction(server, consent.text, '/abort'), {
      method: 'POST',
      stopAt: REDIRECT_URI,
    });
    const back = new URL(denied.url);
    expect(back.searchParams.get('error')).to.equal('access_denied');
    expect(back.searchParams.has('code')).to.equal(false);
  });

  it('a caregiver who picks no patient, or an unknown one, gets no code', async () => {
    const jar = new CookieJar();
    const login = await browse(
      jar,
      authorizeUrl(server, app, {
        scope: SCOPE,
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
    );
    const consent = await browse(jar, formAction(server, login.text, '/dev-login'), {
      method: 'POST',
      form: { person: 'Practitioner/dr-a' },
    });
    const refused = await browse(jar, formAction(server, consent.text, '/confirm'), {
      method: 'POST',
      form: { patient: 'nobody' },
      stopAt: REDIRECT_URI,
    });
    expect(refused.res.status).to.equal(400);
    expect(refused.text).to.contain('Choose an existing patient');
  });

  it('a patient logging in gets themself as the patient in context, without a picker', async () => {
    const { code, verifier } = await authorize(server, app, { scope: SCOPE, person: 'Patient/p1' });
    const res = await exchangeCode(server, app, code, verifier);
    expect(res.body.patient).to.equal('p1');
    expect(decodeJwt(res.body.id_token).fhirUser).to.equal(`${server.base}/Patient/p1`);
  });

  describe('PKCE', () => {
    const refused = async (params: Record<string, string | undefined>) => {
      const jar = new CookieJar();
      const r = await browse(jar, authorizeUrl(server, app, { scope: SCOPE, ...params }), {
        stopAt: REDIRECT_URI,
      });
      expect(r.url.startsWith(REDIRECT_URI), r.text).to.equal(true);
      const back = new URL(r.url);
      expect(back.searchParams.get('error')).to.equal('invalid_request');
      expect(back.searchParams.has('code')).to.equal(false);
    };
    it('a request without code_challenge is refused', () => refused({}));
    it('the plain method is refused', () =>
      refused({ code_challenge: pkce().verifier, code_challenge_method: 'plain' }));
    it('a wrong code_verifier is refused at the token endpoint', async () => {
      const { code } = await authorize(server, app, {
        scope: SCOPE,
        person: 'Practitioner/dr-a',
        patient: 'p1',
      });
      const res = await exchangeCode(server, app, code, pkce().verifier);
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal('invalid_grant');
    });
  });

  it('an aud other than the FHIR base URL is refused', async () => {
    const jar = new CookieJar();
    const { challenge } = pkce();
    for (const aud of ['https://other.example/fhir', undefined]) {
      const r = await browse(
        jar,
        authorizeUrl(server, app, {
          scope: SCOPE,
          aud,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
        { stopAt: REDIRECT_URI },
      );
      expect(new URL(r.url).searchParams.get('error')).to.equal('invalid_request');
    }
  });

  it('an unknown client is refused without a redirect', async () => {
    const r = await browse(new CookieJar(), authorizeUrl(server, { clientId: 'nobody' }, { scope: SCOPE }), {
      stopAt: REDIRECT_URI,
    });
    expect(r.res.status).to.equal(400);
    expect(r.url.startsWith(REDIRECT_URI)).to.equal(false);
    expect(r.text).to.contain('invalid_client');
  });

  it('an invalid code, a used code, and a wrong client secret are refused', async () => {
    const bad = await exchangeCode(server, app, 'not-a-code', pkce().verifier);
    expect(bad.status).to.equal(400);
    expect(bad.body.error).to.equal('invalid_grant');
    const { code, verifier } = await authorize(server, app, {
      scope: SCOPE,
      person: 'Practitioner/dr-a',
      patient: 'p1',
    });
    const params = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    };
    const wrongSecret = await tokenRequest(server, { ...app, clientSecret: 'wrong' }, params);
    expect(wrongSecret.status).to.equal(401);
    expect(wrongSecret.body.error).to.equal('invalid_client');
    expect((await tokenRequest(server, app, params)).status).to.equal(200);
    expect((await tokenRequest(server, app, params)).body.error).to.equal('invalid_grant');
  });

  describe('introspection and revocation', () => {
    const introspect = async (token: string) => {
      const res = await fetch(`${server.base}/oauth/introspect`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ token }),
      });
      expect(res.status).to.equal(200);
      return (await res.json()) as Record<string, any>;
    };

    it('an active token introspects with its scope, client, patient and expiry; an invalid one as inactive', async () => {
      const { body } = await tokens();
      const info = await introspect(body.access_token);
      expect(info).to.include({
        active: true,
        client_id: app.clientId,
        patient: 'p1',
        sub: 'Practitioner/dr-a',
      });
      expect(info.scope).to.contain('patient/Patient.rs');
      expect(info.fhirUser).to.equal(`${server.base}/Practitioner/dr-a`);
      expect(info.exp).to.be.a('number');
      expect(await introspect('not-a-token')).to.deep.equal({ active: false });
    });

    it('a revoked access token is 401 on the FHIR API and inactive', async () => {
      const { body } = await tokens();
      expect((await api('Patient/p1', body.access_token)).status).to.equal(200);
      const res = await fetch(`${server.base}/oauth/revoke`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ token: body.access_token, token_type_hint: 'access_token' }),
      });
      expect(res.status).to.equal(200);
      const after = await api('Patient/p1', body.access_token);
      expect(after.status).to.equal(401);
      expect(after.headers.get('www-authenticate')).to.contain('invalid_token');
      expect((await introspect(body.access_token)).active).to.equal(false);
    });
  });

  it('EHR launch: a launch created by an authenticated EHR carries patient and encounter', async () => {
    // The hospital's EHR, trusted with the whole server here (the gate's rules for launches are
    // tested with the gate).
    const ehr = await registerBackendClient(server, { scope: 'system/Patient.rs', trusted: true });
    const ehrToken = await backendToken(server, ehr);
    const anonymous = await server.fetchBare('oauth/launch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ patient: 'p2' }),
    });
    expect(anonymous.status).to.equal(401);
    expect(anonymous.headers.get('www-authenticate')).to.match(/^Bearer/);
    const created = await server.fetch('oauth/launch', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ehrToken}` },
      body: JSON.stringify({ patient: 'Patient/p2', encounter: 'e9' }),
    });
    expect(created.status).to.equal(201);
    const { launch } = (await created.json()) as { launch: string };
    const { code, verifier } = await authorize(server, app, {
      scope: 'launch openid fhirUser patient/Patient.rs',
      person: 'Practitioner/dr-a',
      params: { launch },
    });
    const res = await exchangeCode(server, app, code, verifier);
    expect(res.body).to.include({ patient: 'p2', encounter: 'e9' });
    const principal = await server.app.smart.principalFor(res.body.access_token);
    expect(principal).to.deep.include({ kind: 'practitioner' });
    expect((principal as any).smart).to.deep.include({ patientId: 'p2', encounterId: 'e9' });
    // An unknown launch is refused.
    const r = await browse(
      new CookieJar(),
      authorizeUrl(server, app, {
        scope: 'launch patient/Patient.rs',
        launch: 'no-such-launch',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
      { stopAt: REDIRECT_URI },
    );
    expect(new URL(r.url).searchParams.get('error')).to.equal('invalid_request');
  });

  it('EHR launch: credentials before the body is read, a readable body, and a patient the EHR may read', async () => {
    const garbled = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' };
    expect((await server.fetchBare('oauth/launch', garbled)).status).to.equal(401);
    const bad = await server.fetch('oauth/launch', garbled);
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as Record<string, any>).resourceType).to.equal('OperationOutcome');
    const observer = await registerBackendClient(server, { scope: 'system/Observation.rs' });
    const refused = await server.fetch('oauth/launch', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await backendToken(server, observer)}`,
      },
      body: JSON.stringify({ patient: 'p1' }),
    });
    expect(refused.status, 'no scope to read Patient').to.equal(400);
  });

  it("a caregiver's EHR launch is theirs alone and works once", async () => {
    await server.fetch('Practitioner/dr-b', {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Practitioner', id: 'dr-b' }),
    });
    const ehrToken = (await tokens()).body.access_token as string; // dr-a, with p1 in context
    const created = await server.fetch('oauth/launch', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ehrToken}` },
      body: JSON.stringify({ patient: 'p1' }),
    });
    expect(created.status).to.equal(201);
    const { launch } = (await created.json()) as { launch: string };
    const scope = 'launch openid fhirUser patient/Patient.rs';
    const start = (jar: CookieJar) =>
      browse(
        jar,
        authorizeUrl(server, app, {
          scope,
          launch,
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        }),
        { stopAt: REDIRECT_URI },
      );
    // Someone else logged in on the workstation cannot use dr-a's launch.
    const other = new CookieJar();
    const login = await start(other);
    const refused = await browse(other, formAction(server, login.text, '/dev-login'), {
      method: 'POST',
      form: { person: 'Practitioner/dr-b' },
      stopAt: REDIRECT_URI,
    });
    expect(refused.res.status).to.equal(403);
    expect(refused.text).to.contain('Practitioner/dr-a');
    // dr-a can, once.
    const own = await authorize(server, app, { scope, person: 'Practitioner/dr-a', params: { launch } });
    expect(own.code).to.be.a('string');
    const again = await start(new CookieJar());
    expect(new URL(again.url).searchParams.get('error'), 'a used launch is refused').to.equal(
      'invalid_request',
    );
  });

  it('a second EHR launch in the same browser session carries its own patient, not the first one', async () => {
    // The hospital's EHR, trusted with the whole server here (the gate's rules for launches are
    // tested with the gate).
    const ehr = await registerBackendClient(server, { scope: 'system/Patient.rs', trusted: true });
    const ehrToken = await backendToken(server, ehr);
    const launchFor = async (patient: string) => {
      const created = await server.fetch('oauth/launch', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ehrToken}` },
        body: JSON.stringify({ patient }),
      });
      return ((await created.json()) as { launch: string }).launch;
    };
    const scope = 'launch openid fhirUser patient/Patient.rs';
    const first = await authorize(server, app, {
      scope,
      person: 'Practitioner/dr-a',
      params: { launch: await launchFor('p2') },
    });
    const firstToken = await exchangeCode(server, app, first.code, first.verifier);
    expect(firstToken.body.patient).to.equal('p2');
    // Same browser, same grant scopes, another patient: the grant must not carry p2 over.
    const { verifier, challenge } = pkce();
    let step = await browse(
      first.jar,
      authorizeUrl(server, app, {
        scope,
        launch: await launchFor('p1'),
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { stopAt: REDIRECT_URI },
    );
    if (!step.url.startsWith(REDIRECT_URI)) {
      step = await browse(first.jar, formAction(server, step.text, '/confirm'), {
        method: 'POST',
        form: {},
        stopAt: REDIRECT_URI,
      });
    }
    const second = await exchangeCode(server, app, new URL(step.url).searchParams.get('code'), verifier);
    expect(second.status).to.equal(200);
    expect(second.body.patient).to.equal('p1');
    expect((await api('Patient/p2', second.body.access_token)).status).to.equal(404);
  });

  it('another person logging in on the same browser ends the first session and its tokens', async () => {
    const scope = 'openid fhirUser launch/patient patient/Patient.rs';
    const first = await authorize(server, app, { scope, person: 'Practitioner/dr-a', patient: 'p1' });
    const token = await exchangeCode(server, app, first.code, first.verifier);
    expect((await api('Patient/p1', token.body.access_token)).status).to.equal(200);
    const login = await browse(
      first.jar,
      authorizeUrl(server, app, {
        scope,
        prompt: 'login',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
      { stopAt: REDIRECT_URI },
    );
    // Another account in the same browser: oidc-provider first ends the old session (its
    // auto-submitting logout form), then the new login goes on to the consent page.
    const logout = await browse(first.jar, formAction(server, login.text, '/dev-login'), {
      method: 'POST',
      form: { person: 'Patient/p2' },
      stopAt: REDIRECT_URI,
    });
    const form = readForm(logout.text, logout.url);
    expect(form.action).to.match(/\/oauth\/logout\/confirm$/);
    const consent = await browse(first.jar, form.action, {
      method: 'POST',
      form: form.fields,
      stopAt: REDIRECT_URI,
    });
    if (!consent.url.startsWith(REDIRECT_URI) && /\/confirm"/.test(consent.text)) {
      await browse(first.jar, formAction(server, consent.text, '/confirm'), {
        method: 'POST',
        form: {},
        stopAt: REDIRECT_URI,
      });
    }
    const after = await api('Patient/p1', token.body.access_token);
    expect(after.status).to.equal(401);
  });

  it('an external login (SAML) finishes the interaction through a one-time ticket URL', async () => {
    const jar = new CookieJar();
    const { verifier, challenge } = pkce();
    const login = await browse(
      jar,
      authorizeUrl(server, app, { scope: SCOPE, code_challenge: challenge, code_challenge_method: 'S256' }),
    );
    const uid = /\/oauth\/interaction\/([^/?#]+)/.exec(login.url)![1]!;
    const ticketUrl = await server.app.smart.completeLoginUrl(uid, {
      kind: 'practitioner',
      practitionerId: 'dr-a',
      roles: [],
      via: 'saml',
    });
    expect(ticketUrl.startsWith(`/oauth/interaction/${uid}/`)).to.equal(true);
    const consent = await browse(jar, new URL(ticketUrl, server.base).href);
    expect(consent.text).to.contain('Practitioner/dr-a');
    const again = await browse(jar, new URL(ticketUrl, server.base).href);
    expect(again.res.status).to.equal(400);
    const done = await browse(jar, formAction(server, consent.text, '/confirm'), {
      method: 'POST',
      form: { patient: 'p1' },
      stopAt: REDIRECT_URI,
    });
    const code = new URL(done.url).searchParams.get('code')!;
    const res = await exchangeCode(server, app, code, verifier);
    expect(res.status).to.equal(200);
    expect(decodeJwt(res.body.id_token).fhirUser).to.equal(`${server.base}/Practitioner/dr-a`);
  });

  it('v1 scope names are granted and work like their v2 equivalents', async () => {
    const res = await tokens('launch/patient patient/Patient.read');
    expect(res.body.scope).to.contain('patient/Patient.read');
    expect((await api('Patient/p1', res.body.access_token)).status).to.equal(200);
    expect((await api('Observation?patient=p1', res.body.access_token)).status).to.equal(403);
  });

  it('a public app (no secret) completes the flow with PKCE', async () => {
    const publicApp = await registerApp(server, { scope: 'patient/*.rs', public: true });
    const res = await tokens('launch/patient patient/Patient.rs', publicApp);
    expect(res.body.patient).to.equal('p1');
  });
});
