import { expect } from 'chai';
import type { Hl7OutboundConfig } from '../../server/hl7v2/outbound-config.ts';
import { callAs, putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { hl7Oracle, oracleAt } from '../support/hl7-oracle.ts';
import { mllpReceiver } from '../support/mllp-receiver.ts';
import { referralResources } from '../support/referral-resources.ts';
import { restHookReceiver } from '../support/rest-hook-receiver.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';
import { personToken } from '../support/smart-flow.ts';
import { addressOf, freePort, startSmtp } from '../support/smtp.ts';

type Json = Record<string, any>;
const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
const FN = 'https://zorgpoort.nl/fhir/CodeSystem/referral-function';
const CLUSTER = 'https://zorgpoort.nl/fhir/StructureDefinition/cluster';
const held = { meta: { tag: [{ system: CUSTODIAN, code: 'org-gp' }] } };
const strip = (x: Json) => {
  const { resourceType: _t, id: _i, ...rest } = x;
  return rest;
};
const role = (
  practitioner: string,
  org: string,
  code: string,
  clusters: string[] = [],
  extra: Json = {},
) => ({
  active: true,
  practitioner: { reference: `Practitioner/${practitioner}` },
  organization: { reference: `Organization/${org}` },
  code: [{ coding: [{ system: FN, code }] }],
  extension: clusters.map((c) => ({ url: CLUSTER, valueReference: { reference: `Organization/${c}` } })),
  ...extra,
});
const statusBody = (status: string, reason?: string) => ({
  method: 'POST',
  body: JSON.stringify({
    resourceType: 'Parameters',
    parameter: [
      { name: 'status', valueCode: status },
      ...(reason ? [{ name: 'reason', valueString: reason }] : []),
    ],
  }),
});
const param = (body: Json, name: string) => body.parameter?.find((p: Json) => p.name === name);
const diagnostics = (body: Json) => (body.issue ?? []).map((i: Json) => i.diagnostics).join(' ');

describe('Referral delivery: status back, HL7 ACK → received, resend by the right admin, $document', function () {
  this.timeout(180_000);
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  let mllp: ReturnType<typeof mllpReceiver>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let hook: ReturnType<typeof restHookReceiver>;
  const until = async (what: () => Promise<boolean>, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  const taskStatus = async (id: string) =>
    ((await server.fetch(`Task/${id}`).then((r) => r.json())) as Json).status;

  before(async () => {
    mllp = mllpReceiver(await freePort());
    await mllp.up();
    smtp = await startSmtp(await freePort());
    hook = restHookReceiver(await freePort());
    await hook.up();
    const outbound: Hl7OutboundConfig = {
      application: 'ZORGPOORT',
      processingId: 'T',
      destinations: new Map([
        [
          '06010713',
          { agb: '06010713', endpoint: { host: '127.0.0.1', port: mllp.port }, application: 'HIX' },
        ],
      ]),
      retrySeconds: 0.2,
      retryMaxSeconds: 0.5,
      ackTimeoutMs: 1500,
      retentionDays: 30,
    };
    server = await startTestServer(
      {},
      {
        config: {
          hl7Outbound: outbound,
          smart: { devLogin: true, cookieKeys: [] } as never,
          mail: { smtpUrl: smtp.url, from: 'Zorgpoort <noreply@zorgpoort.test>', retryDelaySeconds: 1 },
          subscriptions: { allowPrivate: true, retryLimit: 2, retryDelaySeconds: 1, timeoutMs: 2000 },
        },
      },
    );
    const r = referralResources({
      patient: 'p1',
      gp: 'gp1',
      gpOrg: 'org-gp',
      hospital: 'org-zkh',
      sr: 'sr1',
    });
    const consent = {
      status: 'active',
      scope: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
      },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: 'Patient/p1' },
      policy: [{ uri: 'https://zorgpoort.nl/consent' }],
      provision: {
        type: 'permit',
        actor: [{ role: { text: 'ontvanger' }, reference: { reference: 'Organization/org-zkh' } }],
      },
    };
    const referral = (sr: string) => ({
      ...strip(r.serviceRequest),
      ...held,
      identifier: [{ system: 'https://zorgpoort.nl/fhir/NamingSystem/referral', value: `VW-${sr}` }],
      requester: { reference: 'PractitionerRole/gp1-gp' },
      performer: [{ reference: 'Organization/org-zkh' }, { reference: 'HealthcareService/hs-cardio' }],
    });
    const task = (id: string, sr: string) => ({
      ...held,
      status: 'requested',
      intent: 'order',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '3457005' }] },
      focus: { reference: `ServiceRequest/${sr}` },
      for: { reference: 'Patient/p1' },
      owner: { reference: 'Organization/org-zkh' },
      requester: { reference: 'PractitionerRole/gp1-gp' },
      identifier: [{ system: 'urn:test', value: id }],
    });
    await putResources(server, [
      ['Organization', 'org-gp', strip(r.gpOrg)],
      ['Organization', 'org-zkh', strip(r.hospital)],
      ['Organization', 'org-x', { name: 'Elders' }],
      ['Organization', 'cl-cardio', { name: 'Cardiologie', partOf: { reference: 'Organization/org-zkh' } }],
      ['Organization', 'cl-ortho', { name: 'Orthopedie', partOf: { reference: 'Organization/org-zkh' } }],
      ['Practitioner', 'gp1', strip(r.gp)],
      ['Practitioner', 'spec1', { name: [{ family: 'Specialist' }] }],
      ['Practitioner', 'adm1', { name: [{ family: 'Beheer Cardio' }] }],
      ['Practitioner', 'adm2', { name: [{ family: 'Beheer Ortho' }] }],
      [
        'PractitionerRole',
        'gp1-gp',
        role('gp1', 'org-gp', 'gp', [], { telecom: [{ system: 'email', value: 'linde@praktijk.test' }] }),
      ],
      ['PractitionerRole', 'spec1-zkh', role('spec1', 'org-zkh', 'specialist')],
      ['PractitionerRole', 'adm1-resend', role('adm1', 'org-zkh', 'admin-resend', ['cl-cardio'])],
      ['PractitionerRole', 'adm2-resend', role('adm2', 'org-zkh', 'admin-resend', ['cl-ortho'])],
      [
        'HealthcareService',
        'hs-cardio',
        {
          providedBy: { reference: 'Organization/org-zkh' },
          extension: [{ url: CLUSTER, valueReference: { reference: 'Organization/cl-cardio' } }],
          name: 'Cardiologie polikliniek',
        },
      ],
      [
        'Patient',
        'p1',
        { ...strip(r.patient), ...held, generalPractitioner: [{ reference: 'Organization/org-gp' }] },
      ],
      ['Consent', 'p1-permit-zkh', { ...consent, ...held }],
      ['ServiceRequest', 'sr1', referral('sr1')],
      ['ServiceRequest', 'sr2', referral('sr2')],
      ['Task', 't1', task('t1', 'sr1')],
      ['Task', 't2', task('t2', 'sr2')],
      ['DocumentReference', 'doc1', { ...strip(r.letter), ...held }],
      [
        'DocumentReference',
        'doc2',
        { ...strip(r.letter), ...held, context: { related: [{ reference: 'ServiceRequest/sr2' }] } },
      ],
      [
        'Appointment',
        'ap2',
        { ...strip(r.appointment), ...held, basedOn: [{ reference: 'ServiceRequest/sr2' }] },
      ],
      [
        'Patient',
        'p2',
        { name: [{ family: 'Anders' }], meta: { tag: [{ system: CUSTODIAN, code: 'org-x' }] } },
      ],
      [
        'Observation',
        'o2',
        {
          meta: { tag: [{ system: CUSTODIAN, code: 'org-x' }] },
          status: 'final',
          code: { text: 'Bloeddruk' },
          subject: { reference: 'Patient/p2' },
        },
      ],
      [
        'Composition',
        'c1',
        {
          ...held,
          status: 'final',
          type: { coding: [{ system: 'http://loinc.org', code: '57133-1' }] },
          subject: { reference: 'Patient/p1' },
          date: '2026-12-07T10:00:00+01:00',
          author: [{ reference: 'PractitionerRole/gp1-gp' }],
          custodian: { reference: 'Organization/org-gp' },
          title: 'Verwijsbrief',
          section: [{ title: 'Bijlagen', entry: [{ reference: 'DocumentReference/doc1' }] }],
        },
      ],
      [
        'Composition',
        'c-leak',
        {
          ...held,
          status: 'final',
          type: { coding: [{ system: 'http://loinc.org', code: '57133-1' }] },
          subject: { reference: 'Patient/p1' },
          date: '2026-12-07T10:00:00+01:00',
          author: [{ reference: 'PractitionerRole/gp1-gp' }],
          title: 'Brief met andermans meting',
          section: [{ title: 'Metingen', entry: [{ reference: 'Observation/o2' }] }],
        },
      ],
    ]);
    for (const [name, org] of [
      ['gpSystem', 'org-gp'],
      ['zkh', 'org-zkh'],
      ['outsider', 'org-x'],
    ] as const) {
      const client = await registerBackendClient(server, { scope: 'system/*.cruds', organizationId: org });
      tokens[name] = `Bearer ${await backendToken(server, client)}`;
    }
    tokens.gp = await personToken(server, 'Practitioner/gp1');
    tokens.spec = await personToken(server, 'Practitioner/spec1');
    tokens.adm1 = await personToken(server, 'Practitioner/adm1');
    tokens.adm2 = await personToken(server, 'Practitioner/adm2');
  });
  after(async () => {
    await server?.close();
    await mllp?.down();
    await smtp?.close();
    await hook?.down();
  });

  it('the HIS acknowledging the ORU^R01 (AA) makes the Task received, and the referrer’s subscription hears it', async () => {
    const sub = await call('Subscription', 'gpSystem', {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Subscription',
        status: 'requested',
        reason: 'status of our referrals',
        criteria: 'Task?requester=PractitionerRole/gp1-gp',
        channel: { type: 'rest-hook', endpoint: hook.url('/gp'), payload: 'application/fhir+json' },
      }),
    });
    expect(sub.status, JSON.stringify(sub.body)).to.equal(201);
    const before = mllp.received.length;
    const sent = await call('ServiceRequest/sr1/$send-hl7', 'gp', {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [{ name: 'message', valueCode: 'ORU^R01' }],
      }),
    });
    expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
    await mllp.waitFor(before + 1);
    await until(async () => (await taskStatus('t1')) === 'received');
    const mail = await smtp.next(
      (m) => addressOf(m).includes('linde@praktijk.test') && /ontvangen/.test(m.subject ?? ''),
    );
    expect(mail.subject).to.include('VW-sr1');
    await until(async () =>
      hook.received.some((n) => n.path === '/gp' && JSON.parse(n.body || '{}').status === 'received'),
    );
  });

  it('lets only the receiving side move the Task on, validates transitions (409 naming the allowed), and mails the referrer', async () => {
    // The referrer may not accept their own referral.
    const own = await call('Task/t1/$referral-status', 'gp', {
      ...statusBody('accepted'),
      headers: { 'accept-language': 'en' },
    });
    expect(own.status).to.equal(403);
    expect(diagnostics(own.body)).to.match(/receiving organisation/);
    // Someone of neither side, who may not see the Task, learns nothing of it.
    const outsider = await call('Task/t1/$referral-status', 'outsider', statusBody('accepted'));
    expect(outsider.status).to.equal(404);
    // received → requested? Not a move; completed straight away neither.
    const skip = await call('Task/t1/$referral-status', 'spec', {
      ...statusBody('completed'),
      headers: { 'accept-language': 'nl' },
    });
    expect(skip.status).to.equal(409);
    expect(diagnostics(skip.body)).to.match(/accepted of rejected/);
    const noReason = await call('Task/t1/$referral-status', 'spec', statusBody('rejected'));
    expect(noReason.status).to.equal(400);
    expect(diagnostics(noReason.body)).to.match(/reason/);

    const accepted = await call('Task/t1/$referral-status', 'spec', statusBody('accepted'));
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    expect(param(accepted.body, 'task').resource.status).to.equal('accepted');
    // The referrer reads it, with their own login.
    expect((await call('Task/t1', 'gp')).body.status).to.equal('accepted');
    const mail = await smtp.next(
      (m) => addressOf(m).includes('linde@praktijk.test') && /geaccepteerd/.test(m.subject ?? ''),
    );
    expect(mail.text).to.include('VW-sr1').and.include('Ziekenhuis Rijnstad');
    expect(mail.text).to.not.include('Berg'); // no patient data in an e-mail
    await until(async () =>
      hook.received.some((n) => n.path === '/gp' && JSON.parse(n.body || '{}').status === 'accepted'),
    );
    // The hospital's system completes it; the ServiceRequest follows.
    const done = await call('Task/t1/$referral-status', 'zkh', statusBody('completed'));
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(((await server.fetch('ServiceRequest/sr1').then((r) => r.json())) as Json).status).to.equal(
      'completed',
    );
    const again = await call('Task/t1/$referral-status', 'gp', {
      ...statusBody('cancelled'),
      headers: { 'accept-language': 'en' },
    });
    expect(again.status).to.equal(409);
    expect(diagnostics(again.body)).to.match(/cannot change any more/);
  });

  it('the referrer cancels an open referral: the ServiceRequest is revoked and an SRM^S04 follows the SRM^S01', async () => {
    const asked = await call('ServiceRequest/sr2/$send-hl7', 'gp', {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [{ name: 'message', valueCode: 'SRM^S01' }],
      }),
    });
    expect(asked.status, JSON.stringify(asked.body)).to.equal(200);
    await until(async () => mllp.received.some((m) => /SRM\^S01/.test(m.text)));
    // Only the referring side cancels.
    expect((await call('Task/t2/$referral-status', 'zkh', statusBody('cancelled'))).status).to.equal(403);
    const before = mllp.received.length;
    const cancelled = await call(
      'Task/t2/$referral-status',
      'gp',
      statusBody('cancelled', 'Patiënt is elders geholpen'),
    );
    expect(cancelled.status, JSON.stringify(cancelled.body)).to.equal(200);
    expect(param(cancelled.body, 'task').resource.status).to.equal('cancelled');
    expect(param(cancelled.body, 'withdrawal'), JSON.stringify(cancelled.body)).to.not.equal(undefined);
    expect(((await server.fetch('ServiceRequest/sr2').then((r) => r.json())) as Json).status).to.equal(
      'revoked',
    );
    await mllp.waitFor(before + 1);
    const s04 = mllp.received.slice(before).find((m) => /SRM\^S04/.test(m.text));
    expect(s04, 'SRM^S04 arrives').to.not.equal(undefined);
  });

  it('resends the referral’s messages for an admin-resend of the offering’s cluster only', async () => {
    const other = await call('ServiceRequest/sr1/$resend', 'adm2', { method: 'POST' });
    expect(other.status).to.equal(403);
    expect(diagnostics(other.body)).to.include('admin-resend');
    const gp = await call('ServiceRequest/sr1/$resend', 'gp', { method: 'POST' });
    expect(gp.status).to.equal(403);
    const before = mllp.received.length;
    const res = await call('ServiceRequest/sr1/$resend', 'adm1', { method: 'POST' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const messages = res.body.parameter.filter((p: Json) => p.name === 'message');
    expect(messages.map((m: Json) => m.part.find((x: Json) => x.name === 'type').valueString)).to.deep.equal([
      'ORU^R01',
    ]);
    expect(param(res.body, 'notifications').valueInteger).to.be.greaterThan(0);
    await mllp.waitFor(before + 1);
    const first = mllp.received.find((m) => /ORU\^R01/.test(m.text))!;
    const again = mllp.received[before]!;
    expect(oracleAt(hl7Oracle(again.raw, 'utf-8'), 'MSH', 9, 1)).to.equal('ORU');
    // A new message (a new MSH-10) with the same content.
    expect(oracleAt(hl7Oracle(again.raw, 'utf-8'), 'MSH', 10)).to.not.equal(
      oracleAt(hl7Oracle(first.raw, 'utf-8'), 'MSH', 10),
    );
    expect(again.text.split('\r').slice(1).join('\r')).to.equal(first.text.split('\r').slice(1).join('\r'));
  });

  it('a practitioner’s Subscription is theirs and their organisation system’s: nobody else reads or changes it', async () => {
    const made = await call('Subscription', 'gp', {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Subscription',
        status: 'requested',
        reason: 'mine',
        criteria: 'Task?requester=PractitionerRole/gp1-gp',
        channel: { type: 'rest-hook', endpoint: hook.url('/gp-person') },
      }),
    });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    const id = made.body.id as string;
    expect((await call(`Subscription/${id}`, 'gp')).status).to.equal(200);
    expect((await call(`Subscription/${id}`, 'gpSystem')).status).to.equal(200);
    for (const other of ['spec', 'zkh', 'outsider']) {
      expect((await call(`Subscription/${id}`, other)).status, other).to.equal(404);
      const found = await call(`Subscription?_id=${id}`, other);
      expect(found.body.entry ?? [], other).to.have.length(0);
      const changed = await call(`Subscription/${id}`, other, {
        method: 'PUT',
        body: JSON.stringify({ ...made.body, channel: { type: 'rest-hook', endpoint: hook.url('/stolen') } }),
      });
      expect(changed.status, other).to.not.be.oneOf([200, 201]);
    }
    expect((await call(`Subscription/${id}`, 'gp')).body.channel.endpoint).to.equal(hook.url('/gp-person'));
  });

  it('$document gives the whole document as the caller may read it, and refuses one with holes', async () => {
    const doc = await call('Composition/c1/$document', 'gp');
    expect(doc.status, JSON.stringify(doc.body)).to.equal(200);
    expect(doc.body.resourceType).to.equal('Bundle');
    expect(doc.body.type).to.equal('document');
    expect(doc.body.identifier.value).to.match(/^urn:uuid:/);
    expect(doc.body.timestamp).to.be.a('string');
    const refs = doc.body.entry.map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`);
    expect(refs[0]).to.equal('Composition/c1');
    expect(refs).to.include.members([
      'Patient/p1',
      'PractitionerRole/gp1-gp',
      'Organization/org-gp',
      'DocumentReference/doc1',
    ]);
    expect(doc.body.entry[1].fullUrl).to.match(
      /^http.*\/Patient\/p1$|\/PractitionerRole\/|\/Organization\/|\/DocumentReference\//,
    );
    // Someone who may not read the Composition: as if it did not exist.
    expect((await call('Composition/c1/$document', 'outsider')).status).to.equal(404);
    // A referenced resource the caller may not see: no document, and nothing of it told.
    const holes = await call('Composition/c-leak/$document', 'gp');
    expect(holes.status).to.equal(422);
    expect(diagnostics(holes.body)).to.include('Observation/o2');
    expect(JSON.stringify(holes.body)).to.not.include('Bloeddruk');
    const persist = await call('Composition/c1/$document?persist=true', 'gp');
    expect(persist.status).to.equal(422);
    expect(diagnostics(persist.body)).to.match(/persist/);
  });
});
