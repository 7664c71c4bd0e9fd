import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hl7OutboundConfig } from '../../server/hl7v2/outbound-config.ts';
import { auditorOf } from '../support/auditor.ts';
import { callAs, putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { hl7Oracle, oracleAt } from '../support/hl7-oracle.ts';
import { mllpReceiver } from '../support/mllp-receiver.ts';
import { LETTER_PDF, referralResources } from '../support/referral-resources.ts';
import { selfSignedCertificate } from '../support/self-signed.ts';
import { freePort } from '../support/smtp.ts';
import { readFileSync } from 'node:fs';
import { backendToken, registerBackendClient, type BackendClient } from '../support/smart-backend.ts';

type Json = Record<string, any>;
const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
const held = { meta: { tag: [{ system: CUSTODIAN, code: 'org-gp' }] } };
const consent = (provision: Json) => ({
  status: 'active',
  scope: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
  },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { reference: 'Patient/p1' },
  policy: [{ uri: 'https://zorgpoort.nl/consent' }],
  provision,
});
const actor = (reference: string) => ({ role: { text: 'ontvanger' }, reference: { reference } });
const param = (body: Json, name: string) => body.parameter?.find((p: Json) => p.name === name);
const part = (message: Json, name: string) => message.part.find((p: Json) => p.name === name);
const send = (message: string, extra: Json[] = []) => ({
  method: 'POST',
  body: JSON.stringify({
    resourceType: 'Parameters',
    parameter: [{ name: 'message', valueCode: message }, ...extra],
  }),
});

describe('HL7 v2 outbound: referrals to a HIS through the durable outbox (real MLLP)', function () {
  this.timeout(120_000);
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  const admins: string[] = [];
  let receiver: ReturnType<typeof mllpReceiver>;
  let outbound: Hl7OutboundConfig;
  let dataDir: string | undefined;
  let adminClient: BackendClient;
  let gpClient: BackendClient;
  /** The first server after a restart: it still owns the database it made. */
  let retired: TestServer | undefined;

  const tokensFor = async () => {
    tokens.gp = `Bearer ${await backendToken(server, gpClient)}`;
    tokens.admin = `Bearer ${await backendToken(server, adminClient)}`;
  };
  /** The log's entry of an outbound message (by its control id), as an integration admin reads it. */
  const logged = async (controlId: string): Promise<Json> => {
    const res = await call(`$hl7-messages?direction=out&control-id=${controlId}`, 'admin');
    expect(res.status).to.equal(200);
    // The newest first: a message queued again is the copy.
    return res.body.parameter.find((p: Json) => p.name === 'message');
  };
  const until = async (what: () => Promise<boolean>, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const statusOf = async (id: string) => part(await logged(id), 'status').valueCode as string;

  before(async () => {
    receiver = mllpReceiver(await freePort());
    await receiver.up();
    outbound = {
      application: 'ZORGPOORT',
      processingId: 'T',
      destinations: new Map([
        [
          '06010713',
          { agb: '06010713', endpoint: { host: '127.0.0.1', port: receiver.port }, application: 'HIX' },
        ],
      ]),
      retrySeconds: 0.2,
      retryMaxSeconds: 0.5,
      ackTimeoutMs: 1500,
      retentionDays: 30,
    };
    dataDir = process.env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'zp-hl7-out-'));
    server = await startTestServer(
      {},
      {
        config: { hl7Outbound: outbound, integrationAdmins: admins },
        ...(dataDir ? { pgliteDataDir: dataDir } : {}),
      },
    );
    const r = referralResources({
      patient: 'p1',
      gp: 'gp1',
      gpOrg: 'org-gp',
      hospital: 'org-zkh',
      sr: 'sr1',
    });
    const { resourceType: _p, id: _pid, ...patient } = r.patient;
    const strip = (x: Json) => {
      const { resourceType: _t, id: _i, ...rest } = x;
      return rest;
    };
    await putResources(server, [
      ['Organization', 'org-gp', strip(r.gpOrg)],
      ['Organization', 'org-zkh', strip(r.hospital)],
      [
        'Organization',
        'org-nodest',
        {
          name: 'Kliniek Zonder Koppeling',
          identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/agb-z', value: '22220000' }],
        },
      ],
      ['Practitioner', 'gp1', strip(r.gp)],
      [
        'PractitionerRole',
        'gp1-praktijk',
        {
          active: true,
          practitioner: { reference: 'Practitioner/gp1' },
          organization: { reference: 'Organization/org-gp' },
        },
      ],
      ['Patient', 'p1', { ...patient, ...held, generalPractitioner: [{ reference: 'Organization/org-gp' }] }],
      ['ServiceRequest', 'sr1', { ...strip(r.serviceRequest), ...held }],
      ['DocumentReference', 'doc1', { ...strip(r.letter), ...held }],
      ['Appointment', 'ap1', { ...strip(r.appointment), ...held }],
      [
        'ServiceRequest',
        'sr-nodest',
        {
          ...strip(r.serviceRequest),
          ...held,
          identifier: [],
          performer: [{ reference: 'Organization/org-nodest' }],
        },
      ],
      ['ServiceRequest', 'sr-noletter', { ...strip(r.serviceRequest), ...held, identifier: [] }],
      [
        'ServiceRequest',
        'sr-done',
        { ...strip(r.serviceRequest), ...held, identifier: [], status: 'completed' },
      ],
      // The patient allows the hospital the practice's data: the gate lets the referral reach it.
      [
        'Consent',
        'p1-permit-zkh',
        { ...consent({ type: 'permit', actor: [actor('Organization/org-zkh')] }), ...held },
      ],
      [
        'Patient',
        'p2',
        { name: [{ family: 'Elders' }], meta: { tag: [{ system: CUSTODIAN, code: 'elders' }] } },
      ],
    ]);
    // The GP practice's system: not trusted, so it reaches its own patients only.
    gpClient = await registerBackendClient(server, { scope: 'system/*.cruds', organizationId: 'org-gp' });
    adminClient = await registerBackendClient(server, { scope: 'system/*.rus' });
    admins.push(`client/${adminClient.clientId}`);
    const elders = await registerBackendClient(server, { scope: 'system/*.cruds', organizationId: 'elders' });
    tokens.elders = `Bearer ${await backendToken(server, elders)}`;
    // The hospital's own system: it sees the referral (its open referral relates it), but does not send it.
    const zkh = await registerBackendClient(server, { scope: 'system/*.cruds', organizationId: 'org-zkh' });
    tokens.zkh = `Bearer ${await backendToken(server, zkh)}`;
    tokens.narrowAdmin = `Bearer ${await backendToken(server, adminClient, 'system/Patient.r')}`;
    await tokensFor();
  });
  after(async () => {
    await server?.close();
    await retired?.close();
    await receiver?.down();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends ORU^R01 with the letter as a PDF: python3-hl7 reads it, the log shows it delivered, the patient’s access log names it', async () => {
    const before = receiver.received.length;
    const res = await call('ServiceRequest/sr1/$send-hl7', 'gp', send('ORU^R01'));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(param(res.body, 'status').valueCode).to.equal('queued');
    expect(param(res.body, 'destination').valueString).to.equal('06010713');
    const id = param(res.body, 'controlId').valueString as string;
    await receiver.waitFor(before + 1);
    const arrived = receiver.received[before]!;
    const v = hl7Oracle(arrived.raw, 'utf-8');
    expect(oracleAt(v, 'MSH', 9, 1)).to.equal('ORU');
    expect(oracleAt(v, 'MSH', 5)).to.equal('HIX');
    expect(oracleAt(v, 'MSH', 10)).to.equal(param(res.body, 'controlId').valueString);
    expect(oracleAt(v, 'MSH', 11)).to.equal('T');
    expect(oracleAt(v, 'PID', 3, 1)).to.equal('999911120');
    expect(Buffer.from(oracleAt(v, 'OBX', 5, 5)!, 'base64').equals(LETTER_PDF)).to.equal(true);
    await until(async () => (await statusOf(id)) === 'sent');
    const entry = await logged(id);
    expect(part(entry, 'ack').valueString).to.match(/MSA\|AA\|/);
    expect(part(entry, 'requestedBy').valueString).to.equal(`client/${gpClient.clientId}`);
    expect(
      entry.part.filter((p: Json) => p.name === 'resource').map((p: Json) => p.valueReference.reference),
    ).to.include.members(['Patient/p1', 'ServiceRequest/sr1', 'DocumentReference/doc1']);
    const auditor = await auditorOf(server);
    const events = await auditor.search('patient=Patient/p1&_count=200');
    const disclosure = events.find((e: Json) => JSON.stringify(e).includes('$send-hl7'));
    expect(disclosure, 'the disclosure in the patient’s access log').to.not.equal(undefined);
    expect(JSON.stringify(disclosure)).to.include('DocumentReference/doc1');
  });

  it('keeps SRM^S01 and SRM^S04 while the receiver is down, then delivers them in order', async () => {
    await receiver.down();
    const before = receiver.received.length;
    const s01 = await call('ServiceRequest/sr1/$send-hl7', 'gp', send('SRM^S01'));
    expect(s01.status, JSON.stringify(s01.body)).to.equal(200);
    const s04 = await call(
      'ServiceRequest/sr1/$send-hl7',
      'gp',
      send('SRM^S04', [{ name: 'reason', valueString: 'Patiënt is hersteld' }]),
    );
    expect(s04.status).to.equal(200);
    const first = param(s01.body, 'controlId').valueString as string;
    // Tried, refused, waiting: still queued, with the reason and the attempts in the log.
    await until(async () => Number(part(await logged(first), 'attempts').valueInteger) >= 2);
    const waiting = await logged(first);
    expect(part(waiting, 'status').valueCode).to.equal('queued');
    expect(part(waiting, 'error').valueString).to.match(/ECONNREFUSED|closed/);
    // The second waits behind the first: never tried while the first is not delivered.
    expect(part(await logged(param(s04.body, 'controlId').valueString), 'attempts').valueInteger).to.equal(0);
    await receiver.up();
    await receiver.waitFor(before + 2);
    const types = receiver.received.slice(before).map((m) => m.text.split('\r')[0]!.split('|')[8]);
    expect(types.slice(0, 2)).to.deep.equal(['SRM^S01^SRM_S01', 'SRM^S04^SRM_S01']);
    const s04text = receiver.received[before + 1]!;
    expect(oracleAt(hl7Oracle(s04text.raw, 'utf-8'), 'ARQ', 6, 2)).to.equal('Patiënt is hersteld');
    expect(oracleAt(hl7Oracle(s04text.raw, 'utf-8'), 'ARQ', 1, 1)).to.equal('ap1');
    await until(async () => (await statusOf(param(s04.body, 'controlId').valueString)) === 'sent');
  });

  it('a message refused by the receiver (AE) is kept as rejected; an integration admin requeues it', async () => {
    receiver.answerWith(() => 'AE');
    const res = await call('ServiceRequest/sr1/$send-hl7', 'gp', send('ORU^R01'));
    const controlId = param(res.body, 'controlId').valueString as string;
    await until(async () => (await statusOf(controlId)) === 'rejected');
    const rejected = await logged(controlId);
    expect(part(rejected, 'error').valueString).to.match(/^AE: .*Patiënt onbekend/);
    const id = part(rejected, 'id').valueString as string;
    const body = (message: string) =>
      JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'message', valueString: message }] });
    // Only integration admins see the log or requeue, and only with a token that may read everything.
    expect((await call('$hl7-messages', 'gp')).status).to.equal(403);
    expect((await call('$hl7-requeue', 'gp', { method: 'POST', body: body(id) })).status).to.equal(403);
    const narrow = await call('$hl7-messages', 'narrowAdmin');
    expect(narrow.status).to.equal(403);
    expect(narrow.body.issue[0].diagnostics).to.match(/system\/\*\.rs/);
    receiver.answerWith(() => 'AA');
    const requeued = await call('$hl7-requeue', 'admin', { method: 'POST', body: body(id) });
    expect(requeued.status, JSON.stringify(requeued.body)).to.equal(200);
    const copy = param(requeued.body, 'message').valueString as string;
    expect(Number(copy)).to.be.greaterThan(Number(id));
    await until(async () => (await statusOf(controlId)) === 'sent');
    // The refused one stays refused, naming its copy; it is not queued a second time.
    const original = (await call(`$hl7-message?id=${id}`, 'admin')).body;
    expect(part(param(original, 'message'), 'status').valueCode).to.equal('rejected');
    expect(part(param(original, 'message'), 'error').valueString).to.include(
      `queued again as message ${copy}`,
    );
    expect((await call('$hl7-requeue', 'admin', { method: 'POST', body: body(copy) })).status).to.equal(409);
    expect((await call('$hl7-requeue', 'admin', { method: 'POST', body: body('x1') })).status).to.equal(400);
    // One message, raw, for the admin.
    const one = await call(`$hl7-message?id=${copy}`, 'admin');
    expect(one.status).to.equal(200);
    const raw = part(param(one.body, 'message'), 'raw').valueBase64Binary as string;
    expect(Buffer.from(raw, 'base64').toString('utf8')).to.match(/^MSH\|\^~\\&\|ZORGPOORT\|/);
    // Bad query values are 400, not a database error.
    for (const q of ['_count=-5', '_count=abc', 'since=1', 'since=March%207', 'status=lost', 'before=1.5']) {
      expect((await call(`$hl7-messages?${q}`, 'admin')).status, q).to.equal(400);
    }
  });

  it('an admin cancels a message that will never be delivered, and the destination’s next one goes', async () => {
    receiver.answerWith((m) => (m.value('ARQ', 1) === 'ap1' && m.type === 'SRM^S01' ? 'none' : 'AA'));
    const stuck = await call('ServiceRequest/sr1/$send-hl7', 'gp', send('SRM^S01'));
    const stuckId = param(stuck.body, 'controlId').valueString as string;
    const next = await call('ServiceRequest/sr1/$send-hl7', 'gp', send('ORU^R01'));
    const nextId = param(next.body, 'controlId').valueString as string;
    await until(async () => part(await logged(stuckId), 'error') !== undefined);
    expect(await statusOf(nextId)).to.equal('queued');
    const id = part(await logged(stuckId), 'id').valueString as string;
    const cancel = () =>
      call('$hl7-cancel', 'admin', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Parameters',
          parameter: [
            { name: 'message', valueString: id },
            { name: 'reason', valueString: 'HIS weigert dit bericht' },
          ],
        }),
      });
    // Not while it is being sent: retried until it is between attempts.
    await until(async () => (await cancel()).status === 200);
    expect(await statusOf(stuckId)).to.equal('cancelled');
    await until(async () => (await statusOf(nextId)) === 'sent');
    receiver.answerWith(() => 'AA');
  });

  it('refuses what cannot be sent, saying why; someone without the patient gets 404', async () => {
    const outsider = await call('ServiceRequest/sr1/$send-hl7', 'elders', send('ORU^R01'));
    expect(outsider.status).to.equal(404);
    // The receiving side sees the referral but does not speak for the referrer.
    const receiving = await call('ServiceRequest/sr1/$send-hl7', 'zkh', send('ORU^R01'));
    expect(receiving.status).to.equal(403);
    expect(receiving.body.issue[0].diagnostics).to.match(/Only the referrer|Alleen de verwijzer/);
    const done = await call('ServiceRequest/sr-done/$send-hl7', 'gp', send('ORU^R01'));
    expect(done.status).to.equal(409);
    const nothingToWithdraw = await call('ServiceRequest/sr-noletter/$send-hl7', 'gp', send('SRM^S04'));
    expect(nothingToWithdraw.status).to.equal(409);
    const notAReference = await call(
      'ServiceRequest/sr1/$send-hl7',
      'gp',
      send('ORU^R01', [{ name: 'document', valueString: 'DocumentReference/doc1' }]),
    );
    expect(notAReference.status).to.equal(400);
    const noDestination = await call('ServiceRequest/sr-nodest/$send-hl7', 'gp', send('SRM^S01'));
    expect(noDestination.status).to.equal(422);
    expect(noDestination.body.issue[0].diagnostics).to.match(/AGB 22220000.*HL7_DESTINATIONS/);
    const noLetter = await call('ServiceRequest/sr-noletter/$send-hl7', 'gp', send('ORU^R01'));
    expect(noLetter.status).to.equal(422);
    expect(noLetter.body.issue[0].diagnostics).to.match(/has no letter|heeft geen brief/);
    const unknown = await call('ServiceRequest/sr1/$send-hl7', 'gp', send('ADT^A01'));
    expect(unknown.status).to.equal(400);
    expect(unknown.body.issue[0].diagnostics).to.match(/ORU\^R01, SRM\^S01, SRM\^S04/);
  });

  it('the patient’s deny for the hospital stops the referral there: nothing is queued', async () => {
    const put = (id: string, body: Json) =>
      server.fetch(`Consent/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ resourceType: 'Consent', id, ...body }),
      });
    expect(
      (
        await put('p1-deny-zkh', {
          ...consent({ type: 'deny', actor: [actor('Organization/org-zkh')] }),
          ...held,
        })
      ).status,
    ).to.equal(201);
    try {
      const before = (await call('$hl7-messages?direction=out&_count=500', 'admin')).body.parameter.length;
      const refused = await call('ServiceRequest/sr1/$send-hl7', 'gp', send('ORU^R01'));
      expect(refused.status).to.equal(403);
      expect(refused.body.issue[0].diagnostics).to.match(
        /Ziekenhuis Rijnstad (may not receive|mag) .*Patient\/p1/,
      );
      const after = (await call('$hl7-messages?direction=out&_count=500', 'admin')).body.parameter.length;
      expect(after).to.equal(before);
    } finally {
      await server.fetch('Consent/p1-deny-zkh', { method: 'DELETE' });
    }
  });

  it('a queued message survives a restart of the server and is delivered by the next one', async () => {
    await receiver.down();
    const res = await call('ServiceRequest/sr1/$send-hl7', 'gp', send('SRM^S01'));
    const id = param(res.body, 'controlId').valueString as string;
    const before = receiver.received.length;
    await server.stop();
    retired = server;
    server = await startTestServer(
      {},
      { config: { hl7Outbound: outbound, integrationAdmins: admins }, reuseDatabaseOf: server },
    );
    await tokensFor();
    await receiver.up();
    await receiver.waitFor(before + 1);
    expect(receiver.received[before]!.text).to.include(param(res.body, 'controlId').valueString);
    await until(async () => (await statusOf(id)) === 'sent');
  });

  it('over TLS (mllps://): delivered to a receiver whose certificate chains to the configured CA, never to another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zp-hl7-tls-'));
    const tlsReceiver = (name: string) => {
      selfSignedCertificate(join(dir, `${name}.key`), join(dir, `${name}.crt`), 'localhost');
      return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.crt`)) };
    };
    const good = tlsReceiver('good');
    const impostor = tlsReceiver('impostor');
    const secure = mllpReceiver(await freePort(), good);
    const fake = mllpReceiver(await freePort(), impostor);
    await secure.up();
    await fake.up();
    try {
      const agb = (n: string) => ({ system: 'http://fhir.nl/fhir/NamingSystem/agb-z', value: n });
      const sr = (id: string, org: string) =>
        [
          'ServiceRequest',
          id,
          {
            ...held,
            status: 'active',
            intent: 'order',
            code: { text: 'Verwijzing' },
            subject: { reference: 'Patient/p1' },
            requester: { reference: 'Practitioner/gp1' },
            performer: [{ reference: `Organization/${org}` }],
          },
        ] as const;
      await putResources(server, [
        ['Organization', 'org-tls', { name: 'Ziekenhuis TLS', identifier: [agb('33330000')] }],
        ['Organization', 'org-fake', { name: 'Ziekenhuis Nep', identifier: [agb('44440000')] }],
        [
          'Consent',
          'p1-permit-tls',
          {
            ...consent({
              type: 'permit',
              actor: [actor('Organization/org-tls'), actor('Organization/org-fake')],
            }),
            ...held,
          },
        ],
        sr('sr-tls', 'org-tls'),
        sr('sr-fake', 'org-fake'),
      ]);
      // Both destinations trust only the good receiver's certificate.
      const trust = { ca: good.cert };
      outbound.destinations.set('33330000', {
        agb: '33330000',
        endpoint: { host: 'localhost', port: secure.port, tls: trust },
      });
      outbound.destinations.set('44440000', {
        agb: '44440000',
        endpoint: { host: 'localhost', port: fake.port, tls: trust },
      });
      const ok = await call('ServiceRequest/sr-tls/$send-hl7', 'gp', send('SRM^S01'));
      expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
      await secure.waitFor(1);
      await until(async () => (await statusOf(param(ok.body, 'controlId').valueString)) === 'sent');
      const refused = await call('ServiceRequest/sr-fake/$send-hl7', 'gp', send('SRM^S01'));
      const id = param(refused.body, 'controlId').valueString as string;
      // An attempt is counted when it starts; its error once it failed.
      await until(async () => part(await logged(id), 'error') !== undefined);
      const entry = await logged(id);
      expect(part(entry, 'status').valueCode).to.equal('queued');
      expect(part(entry, 'error').valueString).to.match(/certificate/i);
      expect(fake.received).to.have.length(0);
    } finally {
      await secure.down();
      await fake.down();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
