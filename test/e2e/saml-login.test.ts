import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, jsonHeaders, type TestServer } from '../support/harness.ts';
import { freePort, startSamlIdp, type IdpUser, type SamlIdp } from '../support/saml-idp.ts';
import { loginAtIdp, postToAcs } from '../support/saml-browser.ts';

type Json = Record<string, any>;

const UZI_ATTR = 'urn:oid:2.16.528.1.1007.3.1';
const URA_ATTR = 'urn:oid:2.16.528.1.1007.3.3';
const AGB_ATTR = 'urn:oid:2.16.840.1.113883.2.4.6.1';
const ROLE_ATTR = 'urn:oasis:names:tc:xacml:2.0:subject:role';
const NS = 'http://fhir.nl/fhir/NamingSystem';
const SP_ENTITY_ID = 'https://zorgpoort.test/saml/sp';

const USERS: IdpUser[] = [
  {
    username: 'huisarts',
    password: 'huisarts-pw',
    attributes: {
      nameid: ['900012345'],
      [UZI_ATTR]: ['900012345'],
      [ROLE_ATTR]: ['01.015'],
      [URA_ATTR]: ['90000123'],
      [AGB_ATTR]: ['01234567'],
    },
  },
  {
    username: 'onbekend',
    password: 'onbekend-pw',
    attributes: { nameid: ['900099999'], [UZI_ATTR]: ['900099999'], [ROLE_ATTR]: ['01.015'] },
  },
  { username: 'patient', password: 'patient-pw', attributes: { nameid: ['s00000000:123456782'] } },
  { username: 'patient-onbekend', password: 'p2-pw', attributes: { nameid: ['s00000000:111222333'] } },
];
const login = (username: string) => USERS.find((u) => u.username === username)!;

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
    const [serverPort, idpPort] = [await freePort(), await freePort()];
    spBase = `http://127.0.0.1:${serverPort}`;
    idp = await startSamlIdp({
      port: idpPort,
      sp: { entityId: SP_ENTITY_ID, acsUrls: [`${spBase}/saml/acs/uzi`, `${spBase}/saml/acs/digid`] },
      users: USERS,
    });
    dir = mkdtempSync(join(tmpdir(), 'saml-sp-'));
    const common = { entityId: idp.entityId, ssoUrl: idp.ssoUrl, signingCertFiles: [idp.certFile] };
    writeFileSync(
      join(dir, 'idps.json'),
      JSON.stringify([
        {
          id: 'uzi',
          label: 'UZI-pas',
          kind: 'caregiver',
          ...common,
          attributes: { uziNumber: UZI_ATTR, roleCode: ROLE_ATTR, ura: URA_ATTR, agb: AGB_ATTR },
        },
        { id: 'digid', label: 'DigiD', kind: 'patient', ...common, attributes: { bsn: 'NameID' } },
      ]),
    );
    server = await startTestServer(
      {},
      {
        config: {
          port: serverPort,
          saml: {
            idpsFile: join(dir, 'idps.json'),
            spEntityId: SP_ENTITY_ID,
            spBaseUrl: spBase,
            clockSkewMs: 30_000,
            maxAssertionAgeMs: 300_000,
            requestTtlMs: 600_000,
          },
        },
      },
    );
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

  after(async () => {
    await server?.close();
    await idp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const params = (body: Json) =>
    Object.fromEntries(
      (body.parameter as Json[]).map((p) => [
        p.name,
        p.valueString ?? p.valueCode ?? p.valueReference?.reference,
      ]),
    );

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
  });
});
