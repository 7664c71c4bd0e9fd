import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { Hl7Sender } from '../../server/hl7v2/listener.ts';
import { frame, MllpFramer } from '../../server/hl7v2/mllp-framer.ts';
import { callAs, putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';

type Json = Record<string, any>;
const A40 = readFileSync(new URL('../fixtures/hl7/adt-a40-latin1.hl7', import.meta.url));
const ORU = readFileSync(new URL('../fixtures/hl7/oru-r01-utf8.hl7', import.meta.url));
const PI = 'https://zorgpoort.nl/fhir/NamingSystem/patient-number/ZKH-OOST';
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
const SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
const held = (org: string) => ({ meta: { tag: [{ system: CUSTODIAN, code: org }] } });
const edit = (raw: Buffer, encoding: BufferEncoding, replacements: [string, string][]) => {
  let text = raw.toString(encoding);
  for (const [a, b] of replacements) text = text.replace(a, b);
  return Buffer.from(text, encoding);
};

/** Sends one frame over a fresh MLLP connection and answers the ACK's MSA-1 and the ACK. */
async function send(port: number, message: Buffer): Promise<{ code: string; ack: string }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const framer = new MllpFramer(1 << 20);
  const ack = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ACK')), 30_000);
    socket.on('data', (d: Buffer) => {
      for (const e of framer.push(d))
        if ('frame' in e) {
          clearTimeout(timer);
          resolve(e.frame.toString('latin1'));
        }
    });
    socket.write(frame(message));
  });
  socket.destroy();
  const msa = ack
    .split('\r')
    .find((s) => s.startsWith('MSA'))!
    .split('|');
  return { code: msa[1]!, ack };
}

const observation = (id: string, patient: string, org: string) =>
  [
    'Observation',
    id,
    { ...held(org), status: 'final', code: { text: id }, subject: { reference: `Patient/${patient}` } },
  ] as const;
const encounter = (id: string, patient: string, org: string) =>
  [
    'Encounter',
    id,
    {
      ...held(org),
      status: 'in-progress',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      subject: { reference: `Patient/${patient}` },
      serviceProvider: { reference: `Organization/${org}` },
      period: { start: new Date(Date.now() - 3_600_000).toISOString() },
    },
  ] as const;
const consent = (id: string, patient: string, type: 'permit' | 'deny', org: string) =>
  [
    'Consent',
    id,
    {
      status: 'active',
      scope: { coding: [{ system: SCOPE, code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${patient}` },
      policy: [{ uri: 'https://zorgpoort.nl/consent' }],
      provision: {
        type,
        actor: [{ role: { text: 'zorgverlener' }, reference: { reference: `Organization/${org}` } }],
      },
    },
  ] as const;

/**
 * ADT^A40 over real MLLP: two records of one person (the hospital's duplicate, both with her
 * BSN) become one. The survivor keeps every reference, and with them the relationships and
 * consents the gate decides by; the retired record is found by no number any more.
 */
describe('HL7 v2 ADT^A40: merging two records over MLLP', function () {
  this.timeout(180_000);
  let server: TestServer;
  let port: number;
  const senders: Hl7Sender[] = [];
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  const ids = (bundle: Json) =>
    (bundle.entry ?? []).map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`);
  const get = async (path: string) => (await (await server.fetch(path)).json()) as Json;

  before(async () => {
    server = await startTestServer(
      {},
      {
        config: {
          hl7: {
            port: 0,
            host: '127.0.0.1',
            maxFrameBytes: 1 << 20,
            maxConnections: 8,
            idleSeconds: 60,
            senders,
          },
        },
      },
    );
    port = server.hl7Port!;
    const client = async (org: string, trusted = false) =>
      registerBackendClient(server, {
        scope: 'system/*.cruds',
        organizationId: org,
        ...(trusted ? { trusted } : {}),
      });
    const his = await client('zkh-oost', true);
    const lab = await client('lab-oost', true);
    senders.push(
      { application: 'HIX', facility: 'ZKH-OOST', clientId: his.clientId, addresses: ['127.0.0.1'] },
      { application: 'GLIMS', facility: 'LAB-OOST', clientId: lab.clientId, addresses: ['127.0.0.1'] },
    );
    for (const org of ['praktijk', 'elders', 'vreemd'])
      tokens[org] = `Bearer ${await backendToken(server, await client(org))}`;
    await putResources(server, [
      ['Organization', 'zkh-oost', { name: 'Ziekenhuis Oost' }],
      ['Organization', 'praktijk', { name: 'Huisartsenpraktijk West' }],
      ['Organization', 'elders', { name: 'Thuiszorg Elders' }],
      ['Organization', 'vreemd', { name: 'Vreemde organisatie' }],
      [
        'Patient',
        'survivor',
        {
          ...held('zkh-oost'),
          identifier: [
            { system: PI, value: '7654321' },
            { system: BSN, value: '999911120' },
          ],
          name: [{ family: 'Jansen-van der Berg', given: ['Renée'] }],
          managingOrganization: { reference: 'Organization/zkh-oost' },
        },
      ],
      [
        'Patient',
        'old',
        {
          ...held('zkh-oost'),
          identifier: [
            { system: PI, value: '7650001' },
            { system: BSN, value: '999911120' },
          ],
          name: [{ family: 'Berg', given: ['Renée'] }],
        },
      ],
      // The practice knows only the old record (a visit); the patient permitted it her hospital data.
      encounter('old-visit', 'old', 'praktijk'),
      observation('old-practice-obs', 'old', 'praktijk'),
      observation('old-hospital-obs', 'old', 'zkh-oost'),
      consent('old-permit', 'old', 'permit', 'praktijk'),
      // Home care knows only the survivor; the old record denied it everything.
      encounter('survivor-visit', 'survivor', 'elders'),
      observation('survivor-homecare-obs', 'survivor', 'elders'),
      observation('survivor-hospital-obs', 'survivor', 'zkh-oost'),
      consent('old-deny', 'old', 'deny', 'elders'),
    ]);
  });
  after(() => server?.close());

  const snapshot = async () => ({
    survivor: (await get('Patient/survivor')).meta.versionId,
    old: (await get('Patient/old')).meta.versionId,
    onOld: ids(await get('Observation?subject=Patient/old')).sort(),
  });

  it('before: the practice sees the old record, home care the survivor', async () => {
    expect(ids((await call('Observation?subject=Patient/old', 'praktijk')).body).sort()).to.deep.equal([
      'Observation/old-hospital-obs',
      'Observation/old-practice-obs',
    ]);
    expect(ids((await call('Observation?subject=Patient/survivor', 'elders')).body)).to.include(
      'Observation/survivor-homecare-obs',
    );
  });

  it('an A40 for an unknown old patient is refused (AE) and changes nothing', async () => {
    const before = await snapshot();
    const unknown = edit(A40, 'latin1', [
      ['MRG|7650001', 'MRG|1111111'],
      ['ZKH00040', 'ZKH00041'],
    ]);
    const { code, ack } = await send(port, unknown);
    expect(code).to.equal('AE');
    expect(ack).to.match(/no patient is known by source-patient-identifier/);
    expect(await snapshot()).to.deep.equal(before);
  });

  it('A40 → AA: every reference on the survivor, the old record inactive and replaced-by, found by no number', async () => {
    const { code, ack } = await send(port, A40);
    expect(code, ack).to.equal('AA');
    expect(ids(await get('Observation?subject=Patient/survivor')).sort()).to.deep.equal([
      'Observation/old-hospital-obs',
      'Observation/old-practice-obs',
      'Observation/survivor-homecare-obs',
      'Observation/survivor-hospital-obs',
    ]);
    for (const search of [
      'Observation?subject=Patient/old',
      'Encounter?subject=Patient/old',
      'Consent?patient=Patient/old',
    ])
      expect(ids(await get(search)), search).to.deep.equal([]);
    expect(ids(await get('Consent?patient=Patient/survivor')).sort()).to.deep.equal([
      'Consent/old-deny',
      'Consent/old-permit',
    ]);
    const old = await get('Patient/old');
    expect(old.active).to.equal(false);
    expect(old.link).to.deep.equal([{ other: { reference: 'Patient/survivor' }, type: 'replaced-by' }]);
    expect(old.identifier).to.equal(undefined);
    const survivor = await get('Patient/survivor');
    // No `replaces` link: it would put the survivor in the retired record's compartment (see the op).
    expect(survivor.link).to.equal(undefined);
    expect(survivor.identifier.find((i: Json) => i.value === '7650001')).to.include({
      system: PI,
      use: 'old',
    });
    expect(survivor.name[0]._family, 'the demographics are PID-5 of the A40').to.not.equal(undefined);
    // One record carries her BSN and each number now.
    for (const value of [`${BSN}|999911120`, `${PI}|7650001`, `${PI}|7654321`])
      expect(ids(await get(`Patient?identifier=${encodeURIComponent(value)}`)), value).to.deep.equal([
        'Patient/survivor',
      ]);
    // Each repointed resource is a new version, in the history.
    expect((await get('Observation/old-practice-obs/_history')).total).to.equal(2);
  });

  it('the gate follows: relationships and consents of the old record hold at the survivor', async () => {
    // The practice, related only through the old record's visit, still sees it (its permit too).
    expect(ids((await call('Observation?subject=Patient/survivor', 'praktijk')).body)).to.include.members([
      'Observation/old-practice-obs',
      'Observation/old-hospital-obs',
    ]);
    expect((await call('Patient/survivor', 'praktijk')).status).to.equal(200);
    // Home care, denied by the old record's consent, now sees nothing of the survivor's data.
    expect(ids((await call('Observation?subject=Patient/survivor', 'elders')).body)).to.deep.equal([]);
    // Without a relationship: nothing, before as after.
    expect(ids((await call('Observation', 'vreemd')).body)).to.deep.equal([]);
    expect((await call('Patient/survivor', 'vreemd')).status).to.equal(404);
  });

  it('the same A40 again (same control id) is acknowledged, not applied twice', async () => {
    const before = await snapshot();
    const { code } = await send(port, A40);
    expect(code).to.equal('AA');
    expect(await snapshot()).to.deep.equal(before);
    const rows = await server.app.db.knex('hl7_message').where({ control_id: 'ZKH00040', status: 'applied' });
    expect(rows).to.have.length(1);
  });

  it('a later ORU with the old hospital number lands on the survivor', async () => {
    const oru = edit(ORU, 'utf8', [['999911120^^^NLMINBIZA^NNNLD', '7650001^^^ZKH-OOST^PI']]);
    const { code, ack } = await send(port, oru);
    expect(code, ack).to.equal('AA');
    const reports = await get('DiagnosticReport?subject=Patient/survivor');
    expect(reports.entry).to.have.length(1);
    expect(ids(await get('Patient?family=Jansen-van der Berg'))).to.deep.equal(['Patient/survivor']);
  });

  it('an A08 that lists only the current numbers keeps the retired one: the next message with it still lands on the survivor', async () => {
    const a08 = Buffer.from(
      A40.toString('latin1')
        .replace('ADT^A40^ADT_A39|ZKH00040', 'ADT^A08^ADT_A01|ZKH00041')
        .replace('EVN|A40', 'EVN|A08')
        .replace(/\rMRG\|[^\r]*/, ''),
      'latin1',
    );
    const { code, ack } = await send(port, a08);
    expect(code, ack).to.equal('AA');
    const survivor = await get('Patient/survivor');
    expect(survivor.identifier.map((i: Json) => i.value)).to.include('7654321');
    const retired = survivor.identifier.find((i: Json) => i.value === '7650001');
    expect(retired, 'the retired number is kept').to.include({ system: PI, use: 'old' });
    expect(retired.period.end).to.be.a('string');
    const oru = edit(ORU, 'utf8', [
      ['999911120^^^NLMINBIZA^NNNLD', '7650001^^^ZKH-OOST^PI'],
      ['|LAB00001|', '|LAB00002|'],
      ['LAB-2026-0042^LAB-OOST', 'LAB-2026-0043^LAB-OOST'],
    ]);
    const second = await send(port, oru);
    expect(second.code, second.ack).to.equal('AA');
    expect((await get('DiagnosticReport?subject=Patient/survivor')).entry).to.have.length(2);
    expect(ids(await get('Patient?family=Jansen-van der Berg'))).to.deep.equal(['Patient/survivor']);
  });

  it('over REST: a caller who may not write the source patient cannot merge it (as if it did not exist)', async () => {
    const merge = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'source-patient', valueReference: { reference: 'Patient/old' } },
        { name: 'target-patient', valueReference: { reference: 'Patient/survivor' } },
      ],
    };
    const res = await call('Patient/$merge', 'vreemd', { method: 'POST', body: JSON.stringify(merge) });
    expect(res.status).to.equal(404);
    // A retired record is not merged again.
    const again = await server.fetch('Patient/$merge', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(merge),
    });
    expect(again.status).to.equal(422);
  });
});
