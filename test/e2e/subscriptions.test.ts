import { expect } from 'chai';
import { auditorOf } from '../support/auditor.ts';
import { callAs, putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { restHookReceiver } from '../support/rest-hook-receiver.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';
import { freePort } from '../support/smtp.ts';

type Json = Record<string, any>;
const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
const OWNER = 'https://zorgpoort.nl/fhir/CodeSystem/subscription-owner';

const task = (owner: string, status = 'requested') => ({
  meta: { tag: [{ system: CUSTODIAN, code: owner }] },
  status,
  intent: 'order',
  code: { coding: [{ system: 'http://snomed.info/sct', code: '3457005' }] },
  for: { reference: 'Patient/p1' },
  owner: { reference: `Organization/${owner}` },
});

const subscription = (criteria: string, endpoint: string, extra: Json = {}) => ({
  method: 'POST',
  body: JSON.stringify({
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'referrals for us',
    criteria,
    channel: { type: 'rest-hook', endpoint, ...extra },
  }),
});

describe('Subscriptions: R4 REST-hook notifications, judged as their maker through the gate', function () {
  this.timeout(120_000);
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  let hook: ReturnType<typeof restHookReceiver>;

  before(async () => {
    hook = restHookReceiver(await freePort());
    await hook.up();
    server = await startTestServer(
      {},
      {
        config: {
          subscriptions: { allowPrivate: true, retryLimit: 3, retryDelaySeconds: 1, timeoutMs: 2000 },
        },
      },
    );
    await putResources(server, [
      ['Organization', 'org-a', { name: 'Ziekenhuis A' }],
      ['Organization', 'org-b', { name: 'Kliniek B' }],
      [
        'Patient',
        'p1',
        { name: [{ family: 'Jansen' }], meta: { tag: [{ system: CUSTODIAN, code: 'org-a' }] } },
      ],
    ]);
    for (const org of ['org-a', 'org-b']) {
      const scope = 'system/*.cruds';
      const client = await registerBackendClient(server, { scope, organizationId: org });
      tokens[org] = `Bearer ${await backendToken(server, client, scope)}`;
    }
  });
  after(async () => {
    await server?.close();
    await hook?.down();
  });

  it('refuses criteria the search cannot evaluate, another channel, a bad payload or header (400, nl/en)', async () => {
    const bad = [
      subscription('Task?nonsense=1', hook.url('/x')),
      subscription('NoSuchType?status=requested', hook.url('/x')),
      subscription('AuditEvent', hook.url('/x')),
      subscription('Task?owner=Organization/org-a', hook.url('/x'), { type: 'websocket' }),
      subscription('Task?owner=Organization/org-a', hook.url('/x'), { payload: 'text/plain' }),
      subscription('Task?owner=Organization/org-a', hook.url('/x'), { header: ['no colon here'] }),
      subscription('Task?owner=Organization/org-a', 'ftp://example.org/x'),
    ];
    for (const init of bad) {
      const res = await call('Subscription', 'org-a', { ...init, headers: { 'accept-language': 'nl' } });
      expect(res.status, init.body).to.equal(400);
      expect(res.body.resourceType).to.equal('OperationOutcome');
    }
    const res = await call('Subscription', 'org-a', subscription('Task?nonsense=1', hook.url('/x')));
    expect(res.body.issue[0].diagnostics).to.match(/nonsense/);
    expect(res.body.issue[0].diagnostics).to.match(/criteria .* is not a search this server supports/);
  });

  it('activates a subscription, keeps it its maker’s, and notifies with the resource as payload', async () => {
    const made = await call(
      'Subscription',
      'org-a',
      subscription('Task?owner=Organization/org-a', hook.url('/full'), {
        payload: 'application/fhir+json',
        header: ['Authorization: Bearer receiver-secret'],
      }),
    );
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    expect(made.body.status).to.equal('active');
    const tags = made.body.meta.tag.filter((t: Json) => t.system === OWNER);
    expect(tags).to.have.length(1);
    expect(tags[0].code).to.match(/^client\//);
    // Another organisation neither reads nor finds it.
    expect((await call(`Subscription/${made.body.id}`, 'org-b')).status).to.equal(404);
    const found = await call('Subscription', 'org-b');
    expect(found.body.total ?? found.body.entry?.length ?? 0).to.equal(0);
    // A forged owner tag is replaced by the server's.
    const forged = await call(`Subscription/${made.body.id}`, 'org-a', {
      method: 'PUT',
      body: JSON.stringify({ ...made.body, meta: { tag: [{ system: OWNER, code: 'client/someone-else' }] } }),
    });
    expect(forged.status).to.equal(200);
    expect(forged.body.meta.tag.find((t: Json) => t.system === OWNER).code).to.equal(tags[0].code);

    await putResources(server, [['Task', 't1', task('org-a')]]);
    const [got] = await hook.at('/full');
    expect(got!.headers.authorization).to.equal('Bearer receiver-secret');
    expect(got!.headers['content-type']).to.match(/application\/fhir\+json/);
    const body = JSON.parse(got!.body);
    expect(body.resourceType).to.equal('Task');
    expect(body.id).to.equal('t1');

    // The delivery with content is a disclosure in the patient's access log.
    const auditor = await auditorOf(server);
    const events = await auditor.search('patient=Patient/p1&_count=200');
    expect(JSON.stringify(events)).to.include('subscription-notification');
  });

  it('pings without content when no payload is asked, and only for matching resources', async () => {
    const made = await call('Subscription', 'org-a', subscription('Task?status=accepted', hook.url('/ping')));
    expect(made.status).to.equal(201);
    await putResources(server, [['Task', 't2', task('org-a')]]);
    await call('Task/t2', 'org-a', {
      method: 'PUT',
      body: JSON.stringify({ resourceType: 'Task', id: 't2', ...task('org-a', 'accepted') }),
    });
    const [got] = await hook.at('/ping');
    expect(got!.body).to.equal('');
    await new Promise((r) => setTimeout(r, 1500));
    // The create (requested) did not match; the update (accepted) did: one ping.
    expect(hook.received.filter((r) => r.path === '/ping')).to.have.length(1);
  });

  it('sends nothing to a subscriber who may not read the resource', async () => {
    const made = await call(
      'Subscription',
      'org-b',
      subscription('Task', hook.url('/nosy'), { payload: 'application/fhir+json' }),
    );
    expect(made.status).to.equal(201);
    const control = await call('Subscription', 'org-a', subscription('Task', hook.url('/control')));
    expect(control.status).to.equal(201);
    await putResources(server, [['Task', 't3', task('org-a')]]);
    await hook.at('/control');
    await new Promise((r) => setTimeout(r, 1500));
    expect(hook.received.filter((r) => r.path === '/nosy')).to.have.length(0);
  });

  it('delivers later when the endpoint is down at first', async () => {
    const port = await freePort();
    const late = restHookReceiver(port);
    const made = await call('Subscription', 'org-a', subscription('Task?_id=t4', late.url('/late')));
    expect(made.status).to.equal(201);
    await putResources(server, [['Task', 't4', task('org-a')]]);
    await new Promise((r) => setTimeout(r, 800));
    await late.up();
    try {
      await late.at('/late', 1, 30_000);
    } finally {
      await late.down();
    }
    expect((await call(`Subscription/${made.body.id}`, 'org-a')).body.status).to.equal('active');
  });

  it('puts the subscription in error after the last failed try', async () => {
    const made = await call('Subscription', 'org-a', subscription('Task?_id=t5', hook.url('/broken')));
    hook.answerWith(503);
    try {
      await putResources(server, [['Task', 't5', task('org-a')]]);
      const deadline = Date.now() + 60_000;
      let sub: Json = {};
      while (Date.now() < deadline) {
        sub = (await call(`Subscription/${made.body.id}`, 'org-a')).body;
        if (sub.status === 'error') break;
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(sub.status).to.equal('error');
      expect(sub.error).to.match(/HTTP 503/);
      expect(hook.received.filter((r) => r.path === '/broken')).to.have.length(4); // 1 + 3 retries
    } finally {
      hook.answerWith(200);
    }
    // Asked again, it is active, and the error is gone.
    const again = await call(`Subscription/${made.body.id}`, 'org-a', {
      method: 'PUT',
      body: JSON.stringify({
        ...(await call(`Subscription/${made.body.id}`, 'org-a')).body,
        status: 'requested',
      }),
    });
    expect(again.body.status).to.equal('active');
    expect(again.body.error).to.equal(undefined);
  });
});

describe('Subscriptions: endpoints must be public https unless the operator allows otherwise', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('refuses http, loopback, private and link-local endpoints (400)', async () => {
    for (const endpoint of [
      'http://example.org/hook',
      'https://127.0.0.1/hook',
      'https://10.1.2.3/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://localhost/hook',
    ]) {
      const res = await server.fetch('Subscription', {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
        body: subscription('Task', endpoint).body,
      });
      const body = (await res.json()) as Json;
      expect(res.status, `${endpoint}: ${JSON.stringify(body)}`).to.equal(400);
      expect(body.issue[0].diagnostics).to.match(/https|public|openbaar/);
    }
  });
});

describe('Subscriptions on two nodes (PostgreSQL): nothing kept in one node’s memory', function () {
  this.timeout(120_000);
  let a: TestServer;
  let b: TestServer;
  let hook: ReturnType<typeof restHookReceiver>;
  before(async function () {
    if (!process.env.DATABASE_URL) this.skip();
    hook = restHookReceiver(await freePort());
    await hook.up();
    const config = {
      baseUrl: 'http://zorgpoort.test',
      subscriptions: { allowPrivate: true, retryLimit: 2, retryDelaySeconds: 1, timeoutMs: 2000 },
    };
    a = await startTestServer({}, { config });
    b = await startTestServer({}, { config, reuseDatabaseOf: a });
    await putResources(a, [
      ['Organization', 'org-a', { name: 'Ziekenhuis A' }],
      ['Patient', 'p1', { meta: { tag: [{ system: CUSTODIAN, code: 'org-a' }] } }],
    ]);
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await hook?.down();
  });

  it('a Subscription made on one node is notified of a write on the other', async () => {
    const scope = 'system/*.cruds';
    const client = await registerBackendClient(a, { scope, organizationId: 'org-a' });
    const token = `Bearer ${await backendToken(a, client, scope)}`;
    const made = await a.fetch('Subscription', {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/fhir+json' },
      body: subscription('Task?owner=Organization/org-a', hook.url('/two-nodes'), {
        payload: 'application/fhir+json',
      }).body,
    });
    expect(made.status).to.equal(201);
    // At once on the other node: no cache to wait for.
    await putResources(b, [['Task', 'tn1', task('org-a')]]);
    const [got] = await hook.at('/two-nodes');
    expect(JSON.parse(got!.body).id).to.equal('tn1');
  });
});
