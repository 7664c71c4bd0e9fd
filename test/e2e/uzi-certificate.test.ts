import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { createTestPki, type TestPki } from '../support/uzi-pki.ts';

type Json = Record<string, any>;

const CA_OID = '2.16.528.1.1003.1.3.5.5.2';
const URA = '90000123';
const uzi = (nr: string, type: string, role = '01.015', subscriber = URA) =>
  `${CA_OID}-1-${nr}-${type}-${subscriber}-${role}-01234567`;

/** Login with a UZI card over mutual TLS: a real TLS server, cards made with openssl. */
describe('UZI-pas client certificates (mutual TLS)', function () {
  this.timeout(60_000);
  let pki: TestPki;
  let server: TestServer;

  /** A request with (or without) a client certificate, trusting the test CA for the server. */
  const get = (path: string, card?: string) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: Json }>((resolve, reject) => {
      const url = new URL(path, `${server.base}/`);
      const req = request(
        url,
        {
          ca: readFileSync(pki.uziCa),
          ...(card ? pki.card(card) : {}),
          headers: { accept: 'application/fhir+json' },
          agent: false,
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: text ? (JSON.parse(text) as Json) : {},
            }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });

  before(async () => {
    pki = createTestPki([
      { name: 'huisarts', uzi: uzi('900012345', 'Z') },
      { name: 'employee', uzi: uzi('900012346', 'N', '00.000') },
      { name: 'unnamed', uzi: uzi('900012347', 'M', '00.000') },
      { name: 'server-cert', uzi: uzi('900012348', 'S', '00.000') },
      { name: 'revoked', uzi: uzi('900012349', 'Z'), revoked: true },
      { name: 'foreign', uzi: uzi('900012345', 'Z'), issuer: 'foreign' },
      { name: 'unknown-person', uzi: uzi('900099999', 'Z') },
      { name: 'other-practice', uzi: uzi('900012345', 'Z', '01.015', '90000999') },
      { name: 'no-uzi' },
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
    for (const [id, nr] of [
      ['dr-jansen', '900012345'],
      ['assistent', '900012346'],
    ]) {
      const status = await put(`Practitioner/${id}`, {
        resourceType: 'Practitioner',
        id,
        identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers', value: nr }],
      });
      expect(status).to.equal(201);
    }
    // The practice the cards are issued for (their subscriber number is its URA), where both work.
    expect(
      await put('Organization/praktijk', {
        resourceType: 'Organization',
        id: 'praktijk',
        identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/ura', value: URA }],
      }),
    ).to.equal(201);
    for (const id of ['dr-jansen', 'assistent']) {
      const status = await put(`PractitionerRole/${id}-praktijk`, {
        resourceType: 'PractitionerRole',
        id: `${id}-praktijk`,
        practitioner: { reference: `Practitioner/${id}` },
        organization: { reference: 'Organization/praktijk' },
      });
      expect(status).to.equal(201);
    }
  });
  after(async () => {
    await server?.close();
    pki?.cleanup();
  });

  const put = (path: string, resource: Json) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        new URL(path, `${server.base}/`),
        {
          method: 'PUT',
          ca: readFileSync(pki.uziCa),
          headers: { 'content-type': 'application/fhir+json', authorization: server.authorization! },
          agent: false,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(resource));
    });

  it('a valid card of a known practitioner logs in (Z and N cards)', async () => {
    expect((await get('Practitioner/dr-jansen', 'huisarts')).status).to.equal(200);
    expect((await get('metadata', 'employee')).status).to.equal(200);
  });

  it('a revoked card is refused with a clear OperationOutcome', async () => {
    const res = await get('Practitioner/dr-jansen', 'revoked');
    expect(res.status).to.equal(401);
    expect(res.body.issue[0].diagnostics).to.match(/revoked/);
  });

  it('a card from another CA is refused', async () => {
    const res = await get('Practitioner/dr-jansen', 'foreign');
    expect(res.status).to.equal(401);
    expect(res.body.issue[0].diagnostics).to.match(/not issued by a trusted UZI CA/);
  });

  it('a server certificate and an unnamed employee card cannot log in a person', async () => {
    const server1 = await get('Practitioner/dr-jansen', 'server-cert');
    expect(server1.status).to.equal(401);
    expect(server1.body.issue[0].diagnostics).to.match(/server certificate/);
    const unnamed = await get('Practitioner/dr-jansen', 'unnamed');
    expect(unnamed.status).to.equal(401);
    expect(unnamed.body.issue[0].diagnostics).to.match(/unnamed/);
  });

  it('a genuine card without a registered Practitioner gets 403, not an empty session', async () => {
    const res = await get('Practitioner/dr-jansen', 'unknown-person');
    expect(res.status).to.equal(403);
    expect(res.body.issue[0].diagnostics).to.contain('900099999');
  });

  it('a card for an organisation where the practitioner holds no role gets 403', async () => {
    const res = await get('Practitioner/dr-jansen', 'other-practice');
    expect(res.status).to.equal(403);
    expect(res.body.issue[0].diagnostics).to.contain('URA 90000999');
  });

  it('a trusted certificate without a UZI number is refused', async () => {
    const res = await get('Practitioner/dr-jansen', 'no-uzi');
    expect(res.status).to.equal(401);
    expect(res.body.issue[0].diagnostics).to.match(/no UZI number/);
  });
});
