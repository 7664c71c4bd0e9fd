import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';

type Json = Record<string, any>;
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const observation = (id: string, patient: string, category: string) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category: [{ coding: [{ system: CATEGORY, code: category }] }],
  code: { text: id },
  subject: { reference: `Patient/${patient}` },
});

/** SMART scopes narrow every interaction: real tokens (backend services), real HTTP. */
describe('SMART scopes on the FHIR API', function () {
  this.timeout(60_000);
  let server: TestServer;

  /**
   * A token of a backend client registered with exactly these scopes, trusted with the whole
   * server: what is tested here is how scopes narrow a full view (the gate's own rules are
   * gate-relationships.test.ts).
   */
  async function tokenFor(scope: string): Promise<string> {
    const client = await registerBackendClient(server, { scope, trusted: true });
    return backendToken(server, client, scope);
  }
  const as =
    (token: string) =>
    async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${server.base}/${path}`, {
        ...init,
        headers: {
          accept: 'application/fhir+json',
          'content-type': 'application/fhir+json',
          authorization: `Bearer ${token}`,
          ...(init.headers as Record<string, string>),
        },
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
    };
  const ids = (bundle: Json) =>
    (bundle.entry ?? []).map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`).sort();

  before(async () => {
    server = await startTestServer();
    const resources = [
      { resourceType: 'Patient', id: 'p1' },
      { resourceType: 'Patient', id: 'p2' },
      observation('lab-1', 'p1', 'laboratory'),
      observation('vital-1', 'p1', 'vital-signs'),
      observation('lab-2', 'p2', 'laboratory'),
      { resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p1' } },
      {
        resourceType: 'DiagnosticReport',
        id: 'dr1',
        status: 'final',
        code: { text: 'panel' },
        subject: { reference: 'Patient/p1' },
        result: [{ reference: 'Observation/lab-1' }, { reference: 'Observation/vital-1' }],
      },
    ];
    for (const r of resources) {
      const res = await server.fetch(`${r.resourceType}/${r.id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify(r),
      });
      expect(res.status, `${r.resourceType}/${r.id}`).to.equal(201);
    }
  });
  after(() => server.close());

  describe('a category-restricted scope (system/Observation.rs?category=laboratory)', () => {
    let get: ReturnType<typeof as>;
    before(async () => {
      get = as(await tokenFor('system/Observation.rs?category=laboratory'));
    });

    it('a search returns only that category, and the total counts only those', async () => {
      const res = await get('Observation?_total=accurate');
      expect(res.status).to.equal(200);
      expect(ids(res.body)).to.deep.equal(['Observation/lab-1', 'Observation/lab-2']);
      expect(res.body.total).to.equal(2);
      const vitals = await get('Observation?category=vital-signs&_total=accurate');
      expect(vitals.body.total).to.equal(0);
    });

    it('reading another category is 404, as if it did not exist', async () => {
      expect((await get('Observation/lab-1')).status).to.equal(200);
      expect((await get('Observation/vital-1')).status).to.equal(404);
      expect((await get('Observation/vital-1/_history/1')).status).to.equal(404);
      expect((await get('Observation/vital-1/_history')).status).to.equal(404);
      expect((await get('Observation/lab-1/_history')).status).to.equal(200);
    });

    it('types and interactions without a scope are refused (403)', async () => {
      expect((await get('Condition/c1')).status).to.equal(403);
      expect((await get('Condition')).status).to.equal(403);
      expect((await get('Patient/p1/$everything')).status).to.equal(403);
      const create = await get('Observation', {
        method: 'POST',
        body: JSON.stringify(observation('x', 'p1', 'laboratory')),
      });
      expect(create.status).to.equal(403);
      expect(create.body.issue[0].diagnostics).to.contain("'c'");
      expect((await get('Observation/lab-1', { method: 'DELETE' })).status).to.equal(403);
      expect((await get('Observation/_history')).status, 'history across a narrowed type').to.equal(403);
    });

    it('a compartment search and an untyped search see only the category', async () => {
      expect(ids((await get('Patient/p1/Observation')).body)).to.deep.equal(['Observation/lab-1']);
      expect(ids((await get('?_type=Observation,Condition')).body)).to.deep.equal([
        'Observation/lab-1',
        'Observation/lab-2',
      ]);
    });

    it('each batch entry is checked on its own', async () => {
      const res = await get('', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Bundle',
          type: 'batch',
          entry: [
            { request: { method: 'GET', url: 'Observation/lab-1' } },
            { request: { method: 'GET', url: 'Observation/vital-1' } },
            { request: { method: 'GET', url: 'Condition/c1' } },
            {
              request: { method: 'POST', url: 'Observation' },
              resource: observation('y', 'p1', 'laboratory'),
            },
          ],
        }),
      });
      expect(res.status).to.equal(200);
      expect(res.body.entry.map((e: Json) => e.response.status.slice(0, 3))).to.deep.equal([
        '200',
        '404',
        '403',
        '403',
      ]);
    });
  });

  it('_include and _revinclude bring in only what the scopes show', async () => {
    const get = as(await tokenFor('system/DiagnosticReport.rs system/Observation.rs?category=laboratory'));
    const inc = await get('DiagnosticReport?_include=DiagnosticReport:result');
    expect(ids(inc.body)).to.deep.equal(['DiagnosticReport/dr1', 'Observation/lab-1']);
    const rev = await get('Observation?_revinclude=DiagnosticReport:result&_id=lab-1,vital-1');
    expect(ids(rev.body)).to.deep.equal(['DiagnosticReport/dr1', 'Observation/lab-1']);
    const has = await get('DiagnosticReport?result:Observation.category=vital-signs');
    expect(ids(has.body), 'a chain through a hidden resource').to.deep.equal([]);
  });

  it('$everything with patient and category scopes returns only what they name', async () => {
    const get = as(await tokenFor('system/Patient.rs system/Observation.rs?category=laboratory'));
    const res = await get('Patient/p1/$everything');
    expect(res.status).to.equal(200);
    expect(ids(res.body)).to.deep.equal(['Observation/lab-1', 'Patient/p1']);
  });

  it('a create-only scope writes but cannot read back; the written resource must match the scope query', async () => {
    const get = as(await tokenFor('system/Observation.c?category=laboratory'));
    const created = await get('Observation', {
      method: 'POST',
      body: JSON.stringify(observation('z', 'p1', 'laboratory')),
    });
    expect(created.status).to.equal(201);
    expect((await get(`Observation/${created.body.id ?? 'z'}`)).status).to.equal(403);
    // Gone again, so the category searches of the other tests see only the fixtures.
    expect((await server.fetch(`Observation/${created.body.id}`, { method: 'DELETE' })).status).to.equal(204);
    const wrong = await get('Observation', {
      method: 'POST',
      body: JSON.stringify(observation('w', 'p1', 'vital-signs')),
    });
    expect(wrong.status).to.equal(403);
  });

  it('a transaction create needs the c scope like a plain POST (update and delete scopes do not stand in)', async () => {
    const get = as(await tokenFor('system/Observation.rud'));
    const count = async () =>
      (
        (await (
          await server.fetch('Observation?_summary=count', { headers: { accept: 'application/fhir+json' } })
        ).json()) as Json
      ).total as number;
    const before = await count();
    const plain = await get('Observation', {
      method: 'POST',
      body: JSON.stringify(observation('t', 'p1', 'laboratory')),
    });
    expect(plain.status).to.equal(403);
    const tx = await get('', {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { request: { method: 'POST', url: 'Observation' }, resource: observation('t', 'p1', 'laboratory') },
        ],
      }),
    });
    expect(tx.status).to.equal(403);
    expect(JSON.stringify(tx.body)).to.contain('may not create Observation');
    expect(await count(), 'nothing was stored').to.equal(before);
  });

  it('a create restricted by a query is not widened by an unrestricted update scope', async () => {
    const get = as(await tokenFor('system/Observation.c?category=laboratory system/Observation.u'));
    const vital = await get('Observation', {
      method: 'POST',
      body: JSON.stringify(observation('v', 'p1', 'vital-signs')),
    });
    expect(vital.status).to.equal(403);
  });

  it('v1 scope names work as their v2 equivalents', async () => {
    const get = as(await tokenFor('system/Condition.read'));
    expect((await get('Condition/c1')).status).to.equal(200);
    expect((await get('Condition/c1', { method: 'DELETE' })).status).to.equal(403);
  });
});
