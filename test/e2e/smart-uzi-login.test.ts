import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { auditorOf, LOGIN_SUBTYPE } from '../support/auditor.ts';
import { createTestPki, type TestPki } from '../support/uzi-pki.ts';
import {
  authorizeUrl,
  CookieJar,
  formAction,
  pkce,
  REDIRECT_URI,
  registerApp,
  type AppClient,
} from '../support/smart-flow.ts';

const CA_OID = '2.16.528.1.1003.1.3.5.5.2';

/** The SMART login page over mutual TLS: a UZI-pas presented on the connection logs the caregiver in. */
describe('SMART login with a UZI-pas', function () {
  this.timeout(60_000);
  let pki: TestPki;
  let server: TestServer;
  let app: AppClient;

  /** One HTTPS request with the card (or none), through the jar; fetch cannot present client certificates. */
  const send = (jar: CookieJar, url: URL, card?: string, form?: Record<string, string>) =>
    new Promise<{ status: number; location?: string; text: string }>((resolve, reject) => {
      const body = form ? new URLSearchParams(form).toString() : undefined;
      const req = request(
        url,
        {
          method: form ? 'POST' : 'GET',
          ca: readFileSync(pki.uziCa),
          ...(card ? pki.card(card) : {}),
          agent: false,
          headers: {
            cookie: jar.header(url),
            ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            const headers = new Headers();
            for (const c of res.headers['set-cookie'] ?? []) headers.append('set-cookie', c);
            jar.store(new Response(null, { headers }));
            resolve({ status: res.statusCode ?? 0, location: res.headers.location, text });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  /** The principal of the access token the app gets for `code`. */
  const principalOf = async (code: string, verifier: string) => {
    const res = await server.fetchBare('oauth/token', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      }),
    });
    expect(res.status).to.equal(200);
    return server.app.smart.principalFor(((await res.json()) as { access_token: string }).access_token);
  };

  /** Follows redirects until the app's redirect URI or a page. */
  const browse = async (jar: CookieJar, url: string, card?: string, form?: Record<string, string>) => {
    let current = new URL(url);
    let r = await send(jar, current, card, form);
    while (r.location) {
      current = new URL(r.location, current);
      if (current.href.startsWith(REDIRECT_URI)) return { url: current.href, text: '' };
      r = await send(jar, current, card);
    }
    return { url: current.href, text: r.text, status: r.status };
  };

  before(async () => {
    pki = createTestPki([
      { name: 'huisarts', uzi: `${CA_OID}-1-900012345-Z-90000123-01.015-01234567` },
      { name: 'ingetrokken', uzi: `${CA_OID}-1-900099999-Z-90000123-01.015-01234568`, revoked: true },
    ]);
    server = await startTestServer(
      {},
      {
        config: {
          tls: {
            certFile: pki.serverCert,
            keyFile: pki.serverKey,
            uziCaFiles: [pki.uziCa],
            uziCrlFiles: [pki.uziCrl],
          },
        },
        tlsCaFile: pki.uziCa,
      },
    );
    const put = async (resource: Record<string, unknown>) => {
      const res = await server.fetch(`${resource.resourceType}/${resource.id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify(resource),
      });
      expect(res.status, await res.text()).to.equal(201);
    };
    await put({
      resourceType: 'Practitioner',
      id: 'dr-jansen',
      identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers', value: '900012345' }],
    });
    // The card's subscriber number (90000123) is the URA of the practice the card logs in for.
    await put({
      resourceType: 'Organization',
      id: 'praktijk',
      identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/ura', value: '90000123' }],
    });
    await put({
      resourceType: 'PractitionerRole',
      id: 'dr-jansen-praktijk',
      practitioner: { reference: 'Practitioner/dr-jansen' },
      organization: { reference: 'Organization/praktijk' },
    });
    // She also works at a hospital: a login with the practice's card acts for the practice only.
    await put({ resourceType: 'Organization', id: 'ziekenhuis' });
    await put({
      resourceType: 'PractitionerRole',
      id: 'dr-jansen-ziekenhuis',
      practitioner: { reference: 'Practitioner/dr-jansen' },
      organization: { reference: 'Organization/ziekenhuis' },
    });
    await put({
      resourceType: 'Patient',
      id: 'p1',
      generalPractitioner: [{ reference: 'Organization/praktijk' }],
    });
    await put({
      resourceType: 'Patient',
      id: 'p2',
      managingOrganization: { reference: 'Organization/ziekenhuis' },
    });
    app = await registerApp(server, { scope: 'patient/*.rs' });
  });
  after(async () => {
    await server?.close();
    pki?.cleanup();
  });

  it('the login page offers the card only when one is presented, and it logs the caregiver in', async () => {
    const { challenge, verifier } = pkce();
    const url = authorizeUrl(server, app, {
      scope: 'openid fhirUser launch/patient patient/Patient.rs',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const without = await browse(new CookieJar(), url);
    expect(without.text).to.not.contain('UZI-pas (');

    const jar = new CookieJar();
    const login = await browse(jar, url, 'huisarts');
    expect(login.text).to.contain('Log in with UZI-pas (UZI 900012345)');
    const consent = await browse(jar, formAction(server, login.text, '/uzi'), 'huisarts', { uzi: '1' });
    expect(consent.text).to.contain('Logged in as <code>Practitioner/dr-jansen</code>');
    const done = await browse(jar, formAction(server, consent.text, '/confirm'), 'huisarts', {
      patient: 'p1',
    });
    const code = new URL(done.url).searchParams.get('code');
    expect(code).to.be.a('string');
    expect(consent.text, "the picker offers the practice's patient only")
      .to.contain('value="p1"')
      .and.not.contain('value="p2"');
    const principal = await principalOf(code!, verifier);
    expect(principal).to.deep.include({ kind: 'practitioner', organizationId: 'praktijk' });
    expect((principal as any).roles.map((r: any) => r.practitionerRoleId)).to.deep.equal([
      'dr-jansen-praktijk',
    ]);

    // Single sign-on: a second authorization in the same browser session skips the login, and
    // its token still acts for the organisation that login was for, not in every role.
    const again = pkce();
    const second = await browse(
      jar,
      authorizeUrl(server, app, {
        scope: 'openid fhirUser launch/patient patient/Patient.rs',
        code_challenge: again.challenge,
        code_challenge_method: 'S256',
      }),
      'huisarts',
    );
    expect(second.text, 'no login this time').to.contain('Logged in as <code>Practitioner/dr-jansen</code>');
    expect(second.text, 'the same picker').to.contain('value="p1"').and.not.contain('value="p2"');
    const secondDone = await browse(jar, formAction(server, second.text, '/confirm'), 'huisarts', {
      patient: 'p1',
    });
    const sso = await principalOf(new URL(secondDone.url).searchParams.get('code')!, again.verifier);
    expect(sso, 'the login organisation kept with the session').to.deep.include({
      kind: 'practitioner',
      organizationId: 'praktijk',
    });
    expect((sso as any).roles.map((r: any) => r.practitionerRoleId)).to.deep.equal(['dr-jansen-praktijk']);
  });

  it('each login is in the access log: the accepted one with practitioner and organisation, a revoked card with its UZI number', async () => {
    const auditor = await auditorOf(server);
    const logins = (outcome: string) =>
      auditor.search(`subtype=${LOGIN_SUBTYPE}&outcome=${outcome}&_count=100`);
    const url = authorizeUrl(server, app, {
      scope: 'openid fhirUser launch/patient patient/Patient.rs',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    });

    const jar = new CookieJar();
    const login = await browse(jar, url, 'huisarts');
    await browse(jar, formAction(server, login.text, '/uzi'), 'huisarts', { uzi: '1' });
    const accepted = (await logins('0')).filter(
      (e: any) => e.agent[0].who.reference === 'Practitioner/dr-jansen',
    );
    expect(accepted, 'the accepted login').to.have.length.greaterThan(0);
    expect(accepted[0].subtype.map((s: any) => s.code)).to.include('uzi-certificate');
    expect(accepted[0].agent[0].extension[0].valueReference.reference).to.equal('Organization/praktijk');
    expect(accepted[0].agent[1].who.identifier.value, 'the app').to.equal(app.clientId);

    const other = new CookieJar();
    const page = await browse(other, url, 'ingetrokken');
    expect(page.text).to.contain('revoked');
    // The page offers no form for it; a client that posts anyway is refused, and logged.
    const refused = await browse(other, `${page.url}/uzi`, 'ingetrokken', { uzi: '1' });
    expect(refused.status).to.equal(401);
    const logged = (await logins('4')).find((e: any) => e.agent[0].who.identifier?.value === '900099999');
    expect(logged, 'the refused login, naming the card it presented').to.not.equal(undefined);
    expect(logged.outcomeDesc).to.match(/revoked/);
    expect(logged.agent[0].who.reference, 'an unverified claim names no person').to.equal(undefined);
  });
});
