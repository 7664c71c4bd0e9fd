import { expect } from 'chai';
import { putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { authorize, exchangeCode, registerApp, tokenRequest, type AppClient } from '../support/smart-flow.ts';

/**
 * Refresh tokens of SMART apps: rotation, reuse detection, one use of a code or refresh token
 * under concurrency, and narrowing the scope (RFC 6749 §6).
 */
describe('SMART refresh tokens', function () {
  let server: TestServer;
  let app: AppClient;
  const SCOPE = 'openid fhirUser launch/patient offline_access patient/Patient.rs patient/Observation.rs';

  before(async () => {
    server = await startTestServer({}, { config: { smart: { devLogin: true, cookieKeys: [] } } });
    await putResources(server, [
      ['Practitioner', 'dr-a', {}],
      ['Patient', 'p1', { generalPractitioner: [{ reference: 'Practitioner/dr-a' }] }],
      ['Observation', 'o1', { status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' } }],
    ] as const);
    app = await registerApp(server, { scope: 'patient/*.rs user/*.rs' });
  });
  after(() => server?.close());

  const api = (path: string, token: string) =>
    server.fetch(path, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } });

  async function tokens(scope = SCOPE) {
    const { code, verifier } = await authorize(server, app, {
      scope,
      person: 'Practitioner/dr-a',
      patient: 'p1',
    });
    const res = await exchangeCode(server, app, code, verifier);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  }

  const refresh = (refreshToken: string, scope?: string) =>
    tokenRequest(server, app, { grant_type: 'refresh_token', refresh_token: refreshToken, scope });

  async function introspect(token: string) {
    const res = await fetch(`${server.base}/oauth/introspect`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token }),
    });
    expect(res.status).to.equal(200);
    return (await res.json()) as { active: boolean; scope?: string };
  }

  it('refresh without scope keeps the scopes and the patient', async () => {
    const first = await tokens();
    const res = await refresh(first.refresh_token);
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.contain('no-store');
    expect(res.body.patient).to.equal('p1');
    expect(res.body.scope.split(' ')).to.include.members(['patient/Patient.rs', 'patient/Observation.rs']);
    expect((await api('Patient/p1', res.body.access_token)).status).to.equal(200);
  });

  it('online_access also gets a refresh token; without either there is none', async () => {
    const online = await tokens('openid fhirUser launch/patient online_access patient/Patient.rs');
    expect(online.refresh_token).to.be.a('string');
    const none = await tokens('launch/patient patient/Patient.rs');
    expect(none).to.not.have.property('refresh_token');
  });

  describe('rotation', () => {
    it("a confidential app's refresh token is replaced on every use; the used one is refused", async () => {
      expect(app.clientSecret).to.be.a('string');
      const first = await tokens();
      const second = await refresh(first.refresh_token);
      expect(second.status).to.equal(200);
      expect(second.body.refresh_token).to.be.a('string').and.not.equal(first.refresh_token);
      const third = await refresh(second.body.refresh_token);
      expect(third.status).to.equal(200);
      expect(third.body.refresh_token).to.not.equal(second.body.refresh_token);

      const reused = await refresh(second.body.refresh_token);
      expect(reused.status).to.equal(400);
      expect(reused.body.error).to.equal('invalid_grant');
    });

    it('a used refresh token, presented again, ends the grant: its newer tokens stop working', async () => {
      const first = await tokens();
      const rotated = await refresh(first.refresh_token);
      expect((await api('Patient/p1', rotated.body.access_token)).status).to.equal(200);

      expect((await refresh(first.refresh_token)).body.error).to.equal('invalid_grant');
      expect((await api('Patient/p1', rotated.body.access_token)).status).to.equal(401);
      expect((await introspect(rotated.body.access_token)).active).to.equal(false);
      const latest = await refresh(rotated.body.refresh_token);
      expect(latest.status).to.equal(400);
      expect(latest.body.error).to.equal('invalid_grant');
    });

    it('a used refresh token ends the grant whatever scope it asks for', async () => {
      const first = await tokens();
      const rotated = await refresh(first.refresh_token);
      const reused = await refresh(first.refresh_token, 'patient/Condition.rs');
      expect(reused.status).to.equal(400);
      expect(reused.body.error).to.equal('invalid_grant');
      expect((await refresh(rotated.body.refresh_token)).body.error).to.equal('invalid_grant');
    });
  });

  describe('one use only, also for requests that race', () => {
    // On PostgreSQL such requests really overlap; before consuming became conditional, all four won.
    const dead = async (body: Record<string, any>) => {
      expect((await api('Patient/p1', body.access_token)).status).to.equal(401);
      expect((await refresh(body.refresh_token)).body.error).to.equal('invalid_grant');
    };

    it('of four concurrent refreshes with one token, one gets tokens; the grant then ends', async () => {
      const first = await tokens();
      const all = await Promise.all([1, 2, 3, 4].map(() => refresh(first.refresh_token)));
      const won = all.filter((r) => r.status === 200);
      expect(won, JSON.stringify(all.map((r) => r.body.error))).to.have.length(1);
      for (const lost of all.filter((r) => r.status !== 200)) {
        expect(lost.status).to.equal(400);
        expect(lost.body.error).to.equal('invalid_grant');
      }
      await dead(won[0]!.body);
    });

    it('of four concurrent exchanges of one code, one gets tokens; the grant then ends', async () => {
      const { code, verifier } = await authorize(server, app, {
        scope: SCOPE,
        person: 'Practitioner/dr-a',
        patient: 'p1',
      });
      const all = await Promise.all([1, 2, 3, 4].map(() => exchangeCode(server, app, code, verifier)));
      const won = all.filter((r) => r.status === 200);
      expect(won, JSON.stringify(all.map((r) => r.body.error))).to.have.length(1);
      expect(all.filter((r) => r.body.error === 'invalid_grant')).to.have.length(3);
      await dead(won[0]!.body);
    });
  });

  describe('narrowing the scope', () => {
    it('a subset of the granted scopes narrows the new access token', async () => {
      const first = await tokens();
      const res = await refresh(first.refresh_token, 'patient/Patient.rs');
      expect(res.status).to.equal(200);
      expect(res.body.scope).to.equal('patient/Patient.rs');
      expect((await introspect(res.body.access_token)).scope).to.equal('patient/Patient.rs');
      expect((await api('Observation?patient=p1', res.body.access_token)).status).to.equal(403);
      expect((await api('Patient/p1', res.body.access_token)).status).to.equal(200);
    });

    it('a scope a granted one covers narrows it too (a type of `*`, fewer permissions, v2 for v1)', async () => {
      const first = await tokens('openid fhirUser launch/patient offline_access patient/*.read');
      expect(first.scope.split(' ')).to.include('patient/*.read');
      const res = await refresh(first.refresh_token, 'openid patient/Patient.r');
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.scope).to.equal('openid patient/Patient.r');
      expect(res.body.patient).to.equal('p1');
      expect(res.body.id_token).to.be.a('string');
      expect((await introspect(res.body.access_token)).scope).to.equal('patient/Patient.r');
      expect((await api('Patient/p1', res.body.access_token)).status).to.equal(200);
      expect((await api('Patient?_id=p1', res.body.access_token)).status).to.equal(403);
      expect((await api('Observation/o1', res.body.access_token)).status).to.equal(403);

      // The new refresh token still carries the whole grant.
      const whole = await refresh(res.body.refresh_token);
      expect(whole.status).to.equal(200);
      expect(whole.body.scope.split(' ')).to.include('patient/*.read');
      expect((await api('Observation/o1', whole.body.access_token)).status).to.equal(200);
    });

    it('a broader scope is refused', async () => {
      const first = await tokens();
      for (const scope of [
        'patient/Patient.rs patient/Condition.rs',
        'patient/*.rs',
        'patient/Patient.cruds',
        'user/Patient.rs',
        'online_access',
      ]) {
        const res = await refresh(first.refresh_token, scope);
        expect(res.status, scope).to.equal(400);
        expect(res.body.error, scope).to.equal('invalid_scope');
      }
      // Refused requests leave the refresh token usable.
      expect((await refresh(first.refresh_token)).status).to.equal(200);
    });
  });
});
