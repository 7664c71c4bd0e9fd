import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { jsonHeaders, type TestServer } from '../support/harness.ts';
import { auditorOf, LOGIN_SUBTYPE } from '../support/auditor.ts';
import type { SamlIdp } from '../support/saml-idp.ts';
import {
  login,
  NS,
  SMARTCARD,
  SP_ENTITY_ID,
  startSamlEnvironment,
  stopSamlEnvironment,
  type SamlEnvironment,
  UZI_ATTR,
  USERS,
} from '../support/saml-environment.ts';
import { authnRequestXml, loginAtIdp, postToAcs } from '../support/saml-browser.ts';
import { parse, saml, serialize, setAll, setAttributeValue, tamper, wrap } from '../support/saml-tamper.ts';

type Json = Record<string, any>;

/**
 * SAML login end to end: a real IdP (SimpleSAMLphp under php -S), our server over HTTP, a
 * cookie-jar browser through our redirect, the IdP's login form and its auto-POST form.
 */
describe('SAML login (SimpleSAMLphp IdP)', function () {
  this.timeout(120_000);
  let idp: SamlIdp;
  let server: TestServer;
  let dir: string;
  let spBase: string;

  before(async () => {
    ({ idp, server, spBase, dir } = await startSamlEnvironment());
    const put = async (resource: Json) => {
      const res = await server.fetch(`${resource.resourceType}/${resource.id}`, {
        method: 'PUT',
        headers: jsonHeaders(),
        body: JSON.stringify(resource),
      });
      expect(res.status, JSON.stringify(await res.json())).to.equal(201);
    };
    await put({
      resourceType: 'Organization',
      id: 'praktijk',
      identifier: [{ system: `${NS}/ura`, value: '90000123' }],
      name: 'Huisartsenpraktijk',
    });
    await put({
      resourceType: 'Practitioner',
      id: 'dr-jansen',
      identifier: [{ system: `${NS}/uzi-nr-pers`, value: '900012345' }],
    });
    // Whom a signature-wrapping attack would try to log in as.
    await put({
      resourceType: 'Practitioner',
      id: 'dr-de-vries',
      identifier: [{ system: `${NS}/uzi-nr-pers`, value: '900054321' }],
    });
    await put({
      resourceType: 'PractitionerRole',
      id: 'dr-jansen-huisarts',
      practitioner: { reference: 'Practitioner/dr-jansen' },
      organization: { reference: 'Organization/praktijk' },
      code: [{ coding: [{ system: 'urn:oid:2.16.840.1.113883.2.4.15.111', code: '01.015' }] }],
    });
    await put({
      resourceType: 'Patient',
      id: 'pat-1',
      identifier: [{ system: `${NS}/bsn`, value: '123456782' }],
    });
  });

  after(() => stopSamlEnvironment({ idp, server, dir }));

  const params = (body: Json) =>
    Object.fromEntries(
      (body.parameter as Json[]).map((p) => [
        p.name,
        p.valueString ?? p.valueCode ?? p.valueReference?.reference,
      ]),
    );

  const idpKey = () => ({
    privateKey: readFileSync(idp.keyFile, 'utf8'),
    cert: readFileSync(idp.certFile, 'utf8'),
  });
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

  async function refused(res: Response, status: number, diagnostics: RegExp) {
    const body = (await res.json()) as Json;
    expect(res.status, JSON.stringify(body)).to.equal(status);
    expect(body.resourceType).to.equal('OperationOutcome');
    expect(body.issue[0].diagnostics).to.match(diagnostics);
  }

  /** A genuine response for the caregiver, edited by `change`, posted to the uzi ACS. */
  async function attack(change: (samlResponse: string) => string | Promise<string>) {
    const answer = await loginAtIdp(spBase, 'uzi', login('huisarts'));
    return postToAcs(answer.acs, await change(answer.SAMLResponse), answer.RelayState);
  }

  it('logs a caregiver in: UZI number → Practitioner with PractitionerRole', async () => {
    const answer = await loginAtIdp(spBase, 'uzi', login('huisarts'), 'interaction-123');
    expect(answer.acs).to.equal(`${spBase}/saml/acs/uzi`);
    expect(answer.RelayState).to.equal('interaction-123');
    const res = await postToAcs(answer.acs, answer.SAMLResponse, answer.RelayState);
    const body = (await res.json()) as Json;
    expect(res.status, JSON.stringify(body)).to.equal(200);
    expect(params(body)).to.deep.equal({
      idp: 'uzi',
      kind: 'caregiver',
      uziNumber: '900012345',
      person: 'Practitioner/dr-jansen',
      relayState: 'interaction-123',
    });
  });

  it('logs a patient in: DigiD-style NameID s00000000:<BSN> → Patient', async () => {
    const answer = await loginAtIdp(spBase, 'digid', login('patient'));
    const res = await postToAcs(answer.acs, answer.SAMLResponse, answer.RelayState);
    const body = (await res.json()) as Json;
    expect(res.status, JSON.stringify(body)).to.equal(200);
    expect(params(body)).to.deep.equal({
      idp: 'digid',
      kind: 'patient',
      bsn: '123456782',
      person: 'Patient/pat-1',
    });
    // The login is in the access log, and in the patient's own part of it (agent = the patient).
    const events = await (await auditorOf(server)).search(`patient=pat-1&subtype=${LOGIN_SUBTYPE}`);
    expect(events, 'one accepted SAML login of pat-1').to.have.length(1);
    expect(events[0].outcome).to.equal('0');
    expect(events[0].source.site).to.equal('SAML IdP digid');
  });

  it('publishes SP metadata with one ACS per IdP', async () => {
    const res = await fetch(`${spBase}/saml/metadata`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/samlmetadata\+xml/);
    const xml = await res.text();
    expect(xml).to.include(`entityID="${SP_ENTITY_ID}"`);
    expect(xml).to.include(`Location="${spBase}/saml/acs/uzi"`);
    expect(xml).to.include(`Location="${spBase}/saml/acs/digid"`);
    expect(xml).to.include('WantAssertionsSigned="true"');
  });

  it('refuses an unknown person with 403 (caregiver and patient)', async () => {
    const caregiver = await loginAtIdp(spBase, 'uzi', login('onbekend'));
    await refused(await postToAcs(caregiver.acs, caregiver.SAMLResponse), 403, /UZI number 900099999/);
    const patient = await loginAtIdp(spBase, 'digid', login('patient-onbekend'));
    await refused(await postToAcs(patient.acs, patient.SAMLResponse), 403, /BSN/);
  });

  it('refuses an unknown IdP', async () => {
    await refused(
      await fetch(`${spBase}/saml/login/nope`, { redirect: 'manual' }),
      404,
      /Unknown SAML IdP 'nope'/,
    );
    const answer = await loginAtIdp(spBase, 'uzi', login('huisarts'));
    await refused(await postToAcs(`${spBase}/saml/acs/nope`, answer.SAMLResponse), 404, /Unknown SAML IdP/);
  });

  it('refuses an ACS post that is not an HTTP-POST binding form', async () => {
    const acs = `${spBase}/saml/acs/uzi`;
    const json = await fetch(acs, { method: 'POST', headers: jsonHeaders(), body: '{"SAMLResponse":"x"}' });
    await refused(json, 400, /one SAMLResponse/);
    const empty = await fetch(acs, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/fhir+json' },
      body: 'RelayState=x',
    });
    await refused(empty, 400, /one SAMLResponse/);
    await refused(
      await postToAcs(acs, Buffer.from('<not xml').toString('base64')),
      401,
      /SAML login refused/,
    );
  });

  it('refuses a RelayState longer than 80 bytes', async () => {
    const res = await fetch(`${spBase}/saml/login/uzi?RelayState=${'x'.repeat(81)}`, { redirect: 'manual' });
    await refused(res, 400, /RelayState/);
  });

  it('refuses an unsigned assertion', async () => {
    await refused(
      await attack((r) => tamper(r, () => {}, null)),
      401,
      /not signed with a certificate of this IdP/,
    );
  });

  it('refuses an assertion signed by another key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const stranger = { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: '' };
    await refused(
      await attack((r) => tamper(r, () => {}, stranger)),
      401,
      /not signed with a certificate of this IdP/,
    );
  });

  it('puts a refused response in the access log, with the IdP and the reason', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const stranger = { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: '' };
    expect((await attack((r) => tamper(r, () => {}, stranger))).status).to.equal(401);
    const events = await (
      await auditorOf(server)
    ).search(
      `subtype=${encodeURIComponent('http://zorgpoort.nl/fhir/CodeSystem/login-method|saml')}&outcome=4`,
    );
    const event = events.find((e: Json) => /not signed with a certificate of this IdP/.test(e.outcomeDesc));
    expect(event, JSON.stringify(events).slice(0, 500)).to.not.equal(undefined);
    expect(event.source.site).to.equal('SAML IdP uzi');
    expect(event.agent[0].who, 'an unverified assertion names no one').to.deep.equal({ display: 'unknown' });
  });

  it('refuses signature wrapping (XSW): an edited copy beside the signed assertion', async () => {
    const evil = (a: Parameters<Parameters<typeof wrap>[2]>[0]) =>
      setAttributeValue(a, UZI_ATTR, '900054321');
    await refused(await attack((r) => wrap(r, 'nested', evil)), 401, /Invalid signature/);
    await refused(await attack((r) => wrap(r, 'extensions', evil)), 401, /Invalid signature/);
  });

  it('refuses SHA-1 signatures', async () => {
    await refused(await attack((r) => tamper(r, () => {}, idpKey(), 'sha1')), 401, /SHA-256 only/);
  });

  it('refuses a wrong audience', async () => {
    const other = (r: string) =>
      tamper(
        r,
        (doc) => saml(doc, 'Audience').forEach((a) => (a.textContent = 'https://other.example/sp')),
        idpKey(),
      );
    await refused(await attack(other), 401, /audience mismatch/i);
  });

  it('refuses a wrong Destination and a wrong Recipient', async () => {
    const destination = (r: string) => {
      const doc = parse(r);
      doc.documentElement!.setAttribute('Destination', `${spBase}/saml/acs/digid`);
      return serialize(doc);
    };
    await refused(await attack(destination), 401, /Destination/);
    const recipient = (r: string) =>
      tamper(
        r,
        (doc) => setAll(doc, 'SubjectConfirmationData', 'Recipient', 'https://other.example/acs'),
        idpKey(),
      );
    await refused(await attack(recipient), 401, /Recipient/);
  });

  it('refuses an expired assertion and one older than SAML_MAX_ASSERTION_AGE_MS', async () => {
    const hourAgo = Date.now() - 3600_000;
    const expired = (r: string) =>
      tamper(
        r,
        (doc, a) => {
          a.setAttribute('IssueInstant', iso(hourAgo));
          setAll(doc, 'Conditions', 'NotBefore', iso(hourAgo - 60_000));
          setAll(doc, 'Conditions', 'NotOnOrAfter', iso(hourAgo + 300_000));
          setAll(doc, 'SubjectConfirmationData', 'NotOnOrAfter', iso(hourAgo + 300_000));
        },
        idpKey(),
      );
    await refused(await attack(expired), 401, /expired, not yet valid or older/);
    // Still inside its own validity window, but issued 10 minutes ago (the limit is 5).
    const old = (r: string) =>
      tamper(r, (_doc, a) => a.setAttribute('IssueInstant', iso(Date.now() - 600_000)), idpKey());
    await refused(await attack(old), 401, /older than the maximum assertion age/);
  });

  it('refuses a replayed response', async () => {
    const answer = await loginAtIdp(spBase, 'uzi', login('huisarts'));
    expect((await postToAcs(answer.acs, answer.SAMLResponse)).status).to.equal(200);
    await refused(await postToAcs(answer.acs, answer.SAMLResponse), 401, /no outstanding AuthnRequest/);
    // Even answering a new, genuine AuthnRequest (as a broken or colluding IdP might), the
    // assertion id is remembered.
    const fresh = await loginAtIdp(spBase, 'uzi', login('huisarts'));
    const replay = tamper(
      answer.SAMLResponse,
      (doc) => {
        doc.documentElement!.setAttribute('InResponseTo', fresh.requestId);
        setAll(doc, 'SubjectConfirmationData', 'InResponseTo', fresh.requestId);
      },
      idpKey(),
    );
    await refused(await postToAcs(answer.acs, replay), 401, /already used \(replay\)/);
  });

  it('refuses an unsolicited response and an unknown InResponseTo', async () => {
    const unsolicited = (r: string) =>
      tamper(
        r,
        (doc) => {
          doc.documentElement!.removeAttribute('InResponseTo');
          setAll(doc, 'SubjectConfirmationData', 'InResponseTo', null);
        },
        idpKey(),
      );
    await refused(await attack(unsolicited), 401, /unsolicited responses are refused/);
    const unknown = (r: string) =>
      tamper(
        r,
        (doc) => {
          doc.documentElement!.setAttribute('InResponseTo', '_not-ours');
          setAll(doc, 'SubjectConfirmationData', 'InResponseTo', '_not-ours');
        },
        idpKey(),
      );
    await refused(await attack(unknown), 401, /no outstanding AuthnRequest/);
  });

  it('requests the configured AuthnContext and refuses a weaker login', async () => {
    const start = await fetch(`${spBase}/saml/login/digid-substantieel`, { redirect: 'manual' });
    expect(authnRequestXml(start.headers.get('location')!)).to.include(SMARTCARD);
    const answer = await loginAtIdp(spBase, 'digid-substantieel', login('patient'));
    await refused(
      await postToAcs(answer.acs, answer.SAMLResponse),
      401,
      /AuthnContextClassRef .* is not one this IdP must use/,
    );
  });

  it('refuses a response to one IdP route posted to another', async () => {
    const answer = await loginAtIdp(spBase, 'uzi', login('huisarts'));
    await refused(
      await postToAcs(`${spBase}/saml/acs/digid`, answer.SAMLResponse),
      401,
      /no outstanding AuthnRequest/,
    );
  });
});

describe('SAML login with signed AuthnRequests', function () {
  this.timeout(120_000);
  let env: SamlEnvironment | undefined;

  before(async () => {
    env = await startSamlEnvironment({ signRequests: true });
    const res = await env.server.fetch('Patient/pat-1', {
      method: 'PUT',
      headers: jsonHeaders(),
      body: JSON.stringify({
        resourceType: 'Patient',
        id: 'pat-1',
        identifier: [{ system: `${NS}/bsn`, value: '123456782' }],
      }),
    });
    expect(res.status).to.equal(201);
  });

  after(() => stopSamlEnvironment(env ?? {}));

  it('signs the AuthnRequest (SHA-256), which the IdP checks, and publishes the key', async () => {
    const start = await fetch(`${env!.spBase}/saml/login/digid`, { redirect: 'manual' });
    const redirect = new URL(start.headers.get('location')!);
    expect(redirect.searchParams.get('SigAlg')).to.equal('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(redirect.searchParams.get('Signature')).to.be.a('string');
    const answer = await loginAtIdp(
      env!.spBase,
      'digid',
      USERS.find((u) => u.username === 'patient')!,
    );
    const res = await postToAcs(answer.acs, answer.SAMLResponse);
    expect(res.status).to.equal(200);
    const metadata = await (await fetch(`${env!.spBase}/saml/metadata`)).text();
    expect(metadata).to.include('AuthnRequestsSigned="true"').and.include('<ds:X509Certificate>');
  });

  it('is refused by the IdP when the signature is stripped (the IdP really checks)', async () => {
    const start = await fetch(`${env!.spBase}/saml/login/digid`, { redirect: 'manual' });
    const redirect = new URL(start.headers.get('location')!);
    redirect.searchParams.delete('Signature');
    redirect.searchParams.delete('SigAlg');
    const res = await fetch(redirect, { redirect: 'manual' });
    // SimpleSAMLphp answers its error page with 200; it names the missing signature.
    const page = await res.text();
    expect(res.status).to.not.equal(302);
    expect(page)
      .to.include('Unhandled exception')
      .and.match(/no signature found/i);
    expect(page).to.not.include('name="password"');
  });
});
