import { expect } from 'chai';
import { putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';

const HOUR = 3_600_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';

/**
 * The gate's decisions are never cached: a change written through one node holds on the next
 * request on both. Two nodes on one Postgres database (PGlite is one process's).
 */
describe('the gate across server nodes: a change holds on the next request, on every node', function () {
  this.timeout(120_000);
  let a: TestServer;
  let b: TestServer;
  let token: string;

  const status = async (node: TestServer, path: string) =>
    (await node.fetch(path, { headers: { authorization: token, accept: 'application/fhir+json' } })).status;
  const both = async (path: string) => [await status(a, path), await status(b, path)];
  const put = async (path: string, body: object) => {
    const [type, id] = path.split('/');
    const res = await a.fetch(path, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: type, id, ...body }),
    });
    expect(res.status, path).to.be.oneOf([200, 201]);
  };

  before(async function () {
    if (!process.env.DATABASE_URL) this.skip();
    const config = { baseUrl: 'http://zorgpoort.test' };
    a = await startTestServer({}, { config });
    b = await startTestServer({}, { config, reuseDatabaseOf: a });
    await putResources(a, [
      ['Organization', 'zh', {}],
      ['Organization', 'vvt', {}],
      ['Patient', 'p1', {}],
      [
        'Observation',
        'p1-vvt',
        {
          meta: { tag: [{ system: CUSTODIAN, code: 'vvt' }] },
          status: 'final',
          code: { text: 'x' },
          subject: { reference: 'Patient/p1' },
        },
      ],
      [
        'CareTeam',
        'group',
        { status: 'active', participant: [{ member: { reference: 'Organization/zh' } }] },
      ],
    ]);
    const scope = 'system/*.rs';
    const client = await registerBackendClient(a, { scope, organizationId: 'zh' });
    token = `Bearer ${await backendToken(a, client, scope)}`;
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  it('an Encounter: admitted, discharged past the grace period', async () => {
    expect(await both('Patient/p1')).to.deep.equal([404, 404]);
    const encounter = (period: object, state: string) => ({
      status: state,
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
      subject: { reference: 'Patient/p1' },
      serviceProvider: { reference: 'Organization/zh' },
      period,
    });
    await put('Encounter/e1', encounter({ start: iso(-HOUR) }, 'in-progress'));
    expect(await both('Patient/p1')).to.deep.equal([200, 200]);
    await put('Encounter/e1', encounter({ start: iso(-50 * HOUR), end: iso(-48 * HOUR) }, 'finished'));
    expect(await both('Patient/p1')).to.deep.equal([404, 404]);
  });

  it('a group member removed, a care plan ended', async () => {
    const plan = (status: string) => ({
      status,
      intent: 'plan',
      subject: { reference: 'Patient/p1' },
      careTeam: [{ reference: 'CareTeam/group' }],
    });
    await put('CarePlan/plan', plan('active'));
    expect(await both('Patient/p1')).to.deep.equal([200, 200]);
    await put('CareTeam/group', { status: 'active' });
    expect(await both('Patient/p1')).to.deep.equal([404, 404]);
    await put('CareTeam/group', {
      status: 'active',
      participant: [{ member: { reference: 'Organization/zh' } }],
    });
    expect(await both('Patient/p1')).to.deep.equal([200, 200]);
    await put('CarePlan/plan', plan('completed'));
    expect(await both('Patient/p1')).to.deep.equal([404, 404]);
    await put('CarePlan/plan', plan('active'));
  });

  it('a consent given and revoked', async () => {
    expect(await both('Observation/p1-vvt')).to.deep.equal([404, 404]);
    const consent = (status: string) => ({
      status,
      scope: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
      },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: 'Patient/p1' },
      policy: [{ uri: 'https://zorgpoort.nl/consent' }],
      provision: {
        type: 'permit',
        actor: [{ role: { text: 'ziekenhuis' }, reference: { reference: 'Organization/zh' } }],
      },
    });
    await put('Consent/c1', consent('active'));
    expect(await both('Observation/p1-vvt')).to.deep.equal([200, 200]);
    await put('Consent/c1', consent('inactive'));
    expect(await both('Observation/p1-vvt')).to.deep.equal([404, 404]);
  });
});
