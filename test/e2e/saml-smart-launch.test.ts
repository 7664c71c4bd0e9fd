import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { jsonHeaders, type TestServer } from '../support/harness.ts';
import { loginAtIdp, postToAcs } from '../support/saml-browser.ts';
import {
  login,
  NS,
  startSamlEnvironment,
  stopSamlEnvironment,
  type SamlEnvironment,
} from '../support/saml-environment.ts';
import {
  authorizeUrl,
  browse,
  CookieJar,
  formAction,
  pkce,
  REDIRECT_URI,
  registerApp,
  type AppClient,
  exchangeCode,
} from '../support/smart-flow.ts';

type Json = Record<string, any>;

/**
 * The person behind a SMART app logs in through SAML: the SMART login page lists the IdPs, the
 * IdP (SimpleSAMLphp) answers our ACS, which sends the browser back into its authorization
 * interaction through a one-time ticket URL.
 */
describe('SMART launch with a SAML login', function () {
  this.timeout(120_000);
  let env: SamlEnvironment;
  let server: TestServer;
  let app: AppClient;

  before(async () => {
    env = await startSamlEnvironment();
    server = env.server;
    for (const resource of [
      {
        resourceType: 'Organization',
        id: 'praktijk',
        identifier: [{ system: `${NS}/ura`, value: '90000123' }],
      },
      {
        resourceType: 'Practitioner',
        id: 'dr-jansen',
        identifier: [{ system: `${NS}/uzi-nr-pers`, value: '900012345' }],
      },
      {
        resourceType: 'PractitionerRole',
        id: 'dr-jansen-huisarts',
        practitioner: { reference: 'Practitioner/dr-jansen' },
        organization: { reference: 'Organization/praktijk' },
      },
      {
        resourceType: 'Patient',
        id: 'pat-1',
        identifier: [{ system: `${NS}/bsn`, value: '123456782' }],
        name: [{ family: 'Jansen', given: ['Piet'] }],
        // Dr Jansen's practice is the patient's GP: the treatment relationship the read needs.
        generalPractitioner: [{ reference: 'Organization/praktijk' }],
      },
    ]) {
      const res = await server.fetch(`${resource.resourceType}/${resource.id}`, {
        method: 'PUT',
        headers: jsonHeaders(),
        body: JSON.stringify(resource),
      });
      expect(res.status).to.equal(201);
    }
    app = await registerApp(server, { scope: 'openid fhirUser launch/patient patient/*.rs' });
  });
  after(() => stopSamlEnvironment(env ?? {}));

  /** Authorize → the login page → the IdP named `idp` → our ACS: the ACS answer and the jar. */
  async function samlLogin(idp: string, user: string) {
    const jar = new CookieJar();
    const { verifier, challenge } = pkce();
    const page = await browse(
      jar,
      authorizeUrl(server, app, {
        scope: 'openid fhirUser launch/patient patient/*.rs',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { stopAt: REDIRECT_URI },
    );
    const link = new RegExp(`href="([^"]*/saml/login/${idp}[^"]*)"`).exec(page.text)?.[1];
    expect(link, `the login page lists IdP ${idp}:\n${page.text}`).to.be.a('string');
    const relayState = new URL(link!.replace(/&amp;/g, '&')).searchParams.get('RelayState')!;
    expect(relayState).to.match(/^smart:/);
    const answer = await loginAtIdp(env.spBase, idp, login(user), relayState);
    const acs = await postToAcs(answer.acs, answer.SAMLResponse, answer.RelayState);
    return { jar, verifier, acs };
  }

  it('a caregiver logs in with the UZI IdP, picks a patient and the app gets a token for them', async () => {
    const { jar, verifier, acs } = await samlLogin('uzi', 'huisarts');
    expect(acs.status).to.equal(303);
    const ticketUrl = new URL(acs.headers.get('location')!, server.base).href;
    expect(ticketUrl).to.match(/\/ticket\//);

    // Another browser (no interaction cookie) cannot use the ticket.
    const stranger = await browse(new CookieJar(), ticketUrl, { stopAt: REDIRECT_URI });
    expect(stranger.url.startsWith(REDIRECT_URI)).to.equal(false);
    expect(stranger.res.status).to.be.within(400, 499);

    const consent = await browse(jar, ticketUrl, { stopAt: REDIRECT_URI });
    expect(consent.text, 'the patient picker').to.contain('pat-1');
    const back = await browse(jar, formAction(server, consent.text, '/confirm'), {
      method: 'POST',
      form: { patient: 'pat-1' },
      stopAt: REDIRECT_URI,
    });
    const code = new URL(back.url).searchParams.get('code');
    expect(code, back.text).to.be.a('string');
    const token = await exchangeCode(server, app, code, verifier);
    expect(token.status, JSON.stringify(token.body)).to.equal(200);
    expect(token.body.patient).to.equal('pat-1');
    expect(decodeJwt(token.body.id_token).fhirUser).to.equal(`${server.base}/Practitioner/dr-jansen`);
    const read = await server.fetch('Patient/pat-1', {
      headers: { authorization: `Bearer ${token.body.access_token}` },
    });
    expect(read.status).to.equal(200);
    // The token acts for the organisation the SAML login named (its URA), in the roles held there.
    const principal = await server.app.smart.principalFor(token.body.access_token);
    expect(principal).to.deep.include({ kind: 'practitioner', organizationId: 'praktijk' });

    // The ticket was for one use.
    const again = await browse(jar, ticketUrl, { stopAt: REDIRECT_URI });
    expect(again.url.startsWith(REDIRECT_URI)).to.equal(false);
  });

  it('a patient logs in DigiD-style and the app is bound to their own record', async () => {
    const { jar, verifier, acs } = await samlLogin('digid', 'patient');
    expect(acs.status).to.equal(303);
    let step = await browse(jar, new URL(acs.headers.get('location')!, server.base).href, {
      stopAt: REDIRECT_URI,
    });
    if (!step.url.startsWith(REDIRECT_URI)) {
      step = await browse(jar, formAction(server, step.text, '/confirm'), {
        method: 'POST',
        form: {},
        stopAt: REDIRECT_URI,
      });
    }
    const code = new URL(step.url).searchParams.get('code');
    expect(code, step.text).to.be.a('string');
    const token = await exchangeCode(server, app, code, verifier);
    expect(token.status).to.equal(200);
    expect(token.body.patient).to.equal('pat-1');
    expect(decodeJwt(token.body.id_token).fhirUser).to.equal(`${server.base}/Patient/pat-1`);
  });

  it("an answer cannot be steered into another interaction: the RelayState must be the login's own", async () => {
    // Someone logs in as themselves but posts the answer with a victim's interaction in RelayState.
    const own = await loginAtIdp(env.spBase, 'uzi', login('huisarts'), 'smart:attackers-own');
    const steered = await postToAcs(own.acs, own.SAMLResponse, 'smart:victims-interaction');
    expect(steered.status).to.equal(401);
    expect(steered.headers.get('location')).to.equal(null);
    expect(JSON.stringify(await steered.json())).to.contain('RelayState');
    // A login started without RelayState cannot gain one either.
    const plain = await loginAtIdp(env.spBase, 'uzi', login('huisarts'));
    expect((await postToAcs(plain.acs, plain.SAMLResponse, 'smart:victims-interaction')).status).to.equal(
      401,
    );
  });

  it('an unknown caregiver is refused at the ACS; nothing reaches the interaction', async () => {
    const { acs } = await samlLogin('uzi', 'onbekend');
    expect(acs.status).to.equal(403);
    expect(acs.headers.get('location')).to.equal(null);
    const body = (await acs.json()) as Json;
    expect(body.resourceType).to.equal('OperationOutcome');
  });
});
