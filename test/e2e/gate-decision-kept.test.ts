import { expect } from 'chai';
import { putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';

type Json = Record<string, any>;

const SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
const ORG_TYPE = 'http://nictiz.nl/fhir/NamingSystem/organization-type';
const consent = (provision: Json) => ({
  status: 'active',
  scope: { coding: [{ system: SCOPE, code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { reference: 'Patient/p1' },
  policy: [{ uri: 'https://zorgpoort.nl/consent' }],
  provision,
});
const sleepUntil = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));

/**
 * A node keeps the gate's decision between requests of the same caller (server/access/care-gate.ts),
 * but each request still asks whether a fact changed since, and a kept decision ends when time
 * reaches a period it rests on. These are the changes a kept decision could miss: time alone,
 * with no write at all, and a fact that is not an access fact of its own (an organisation's type).
 */
describe('the gate keeps a decision only while nothing it rests on has changed', function () {
  this.timeout(60_000);
  let server: TestServer;
  let token: string;
  const status = async (path: string) =>
    (await server.fetch(path, { headers: { authorization: token, accept: 'application/fhir+json' } })).status;
  const put = async (path: string, body: Json) => {
    const [type, id] = path.split('/');
    const res = await server.fetch(path, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: type, id, ...body }),
    });
    expect(res.status, path).to.be.oneOf([200, 201]);
  };

  before(async () => {
    server = await startTestServer();
    await putResources(server, [
      ['Organization', 'zh', {}],
      ['Patient', 'p1', {}],
      [
        'EpisodeOfCare',
        'ep1',
        {
          status: 'active',
          patient: { reference: 'Patient/p1' },
          managingOrganization: { reference: 'Organization/zh' },
        },
      ],
    ]);
    const scope = 'system/*.rs';
    const client = await registerBackendClient(server, { scope, organizationId: 'zh' });
    token = `Bearer ${await backendToken(server, client, scope)}`;
  });
  after(async () => {
    await server?.close();
  });

  it('a membership that ends by time alone ends access, with no write in between', async () => {
    const end = Date.now() + 2_000;
    await putResources(server, [
      ['Patient', 'p2', {}],
      [
        'CareTeam',
        'p2-team',
        {
          status: 'active',
          participant: [
            { member: { reference: 'Organization/zh' }, period: { end: new Date(end).toISOString() } },
          ],
        },
      ],
      [
        'CarePlan',
        'p2-plan',
        {
          status: 'active',
          intent: 'plan',
          subject: { reference: 'Patient/p2' },
          careTeam: [{ reference: 'CareTeam/p2-team' }],
        },
      ],
    ]);
    expect(await status('Patient/p2')).to.equal(200);
    expect(await status('Patient/p2'), 'the kept decision').to.equal(200);
    await sleepUntil(end + 1_100);
    expect(await status('Patient/p2'), 'no longer in the team').to.equal(404);
  });

  it('a consent rule that starts later denies from its start, with no write in between', async () => {
    const start = Date.now() + 2_000;
    await put(
      'Consent/p1-later',
      consent({ type: 'deny', period: { start: new Date(start).toISOString() } }),
    );
    expect(await status('Patient/p1')).to.equal(200);
    expect(await status('Patient/p1'), 'the kept decision').to.equal(200);
    await sleepUntil(start + 1_100);
    expect(await status('Patient/p1'), 'the rule has started').to.equal(404);
    await put('Consent/p1-later', { ...consent({ type: 'deny' }), status: 'inactive' });
    expect(await status('Patient/p1'), 'withdrawn').to.equal(200);
  });

  it('a consent rule that ends later permits again from its end, with no write in between', async () => {
    const end = Date.now() + 2_000;
    await put('Consent/p1-until', consent({ type: 'deny', period: { end: new Date(end).toISOString() } }));
    expect(await status('Patient/p1')).to.equal(404);
    expect(await status('Patient/p1'), 'the kept decision').to.equal(404);
    await sleepUntil(end + 1_100);
    expect(await status('Patient/p1'), 'the rule has ended').to.equal(200);
  });

  it("an organisation's type named by a rule: changing the type holds on the next request", async () => {
    await put(
      'Consent/p1-by-type',
      consent({
        type: 'deny',
        actor: [
          { role: { text: 'ziekenhuis' }, reference: { identifier: { system: ORG_TYPE, value: 'Z3' } } },
        ],
      }),
    );
    expect(await status('Patient/p1'), 'not of that type').to.equal(200);
    expect(await status('Patient/p1'), 'the kept decision').to.equal(200);
    await put('Organization/zh', { type: [{ coding: [{ system: ORG_TYPE, code: 'Z3' }] }] });
    expect(await status('Patient/p1'), 'now of that type').to.equal(404);
    await put('Organization/zh', {});
    expect(await status('Patient/p1'), 'no longer').to.equal(200);
  });
});
