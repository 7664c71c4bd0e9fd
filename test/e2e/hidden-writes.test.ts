import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';

type Json = Record<string, any>;

/**
 * Hidden equals missing, for writes too: a caller restricted by its scopes gets, for an id it may
 * not see, exactly the answer an id that never existed gets, and nothing is overwritten or
 * deleted. (It creates with POST: its own ids are not available to it.)
 */
describe('writes: a hidden resource answers like a missing one', function () {
  this.timeout(60_000);
  let server: TestServer;
  let lab: string;

  const call = async (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers: Record<string, string> = {
      accept: 'application/fhir+json',
      ...(init.body ? { 'content-type': 'application/fhir+json' } : {}),
      ...(init.headers as Record<string, string>),
      ...(init.token ? { authorization: init.token } : {}),
    };
    const res = await server.fetch(path, { ...init, headers });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
  };
  const observation = (id: string, category: string) => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category }] },
    ],
    code: { text: 'x' },
  });
  /** The answer with the id taken out, so a hidden and a missing id can be compared. */
  const shape = (r: { status: number; body: Json }, id: string) => ({
    status: r.status,
    body: JSON.parse(JSON.stringify(r.body ?? {}).replaceAll(id, '<id>')),
  });

  before(async () => {
    server = await startTestServer();
    const scope = 'system/Observation.cruds?category=laboratory';
    // Trusted: what is tested here is how its scopes restrict it (the gate's own rules: gate-*.test.ts).
    lab = `Bearer ${await backendToken(server, await registerBackendClient(server, { scope, trusted: true }), scope)}`;
    expect(
      (
        await call('Observation/vital', {
          method: 'PUT',
          body: JSON.stringify(observation('vital', 'vital-signs')),
        })
      ).status,
    ).to.equal(201);
  });
  after(() => server?.close());

  it('PUT to a hidden id answers as to a missing one, and overwrites nothing', async () => {
    const hidden = await call('Observation/vital', {
      method: 'PUT',
      token: lab,
      body: JSON.stringify(observation('vital', 'laboratory')),
    });
    const missing = await call('Observation/never', {
      method: 'PUT',
      token: lab,
      body: JSON.stringify(observation('never', 'laboratory')),
    });
    expect(shape(hidden, 'vital')).to.deep.equal(shape(missing, 'never'));
    expect(hidden.status).to.equal(405);
    expect(hidden.body.issue[0].diagnostics).to.match(/use POST Observation/);
    const stored = await call('Observation/vital');
    expect(stored.body.category[0].coding[0].code).to.equal('vital-signs');
    expect(stored.body.meta.versionId).to.equal('1');
  });

  it('PUT with If-Match: * on a hidden id answers 412 like a missing one', async () => {
    const headers = { 'if-match': '*' };
    const hidden = await call('Observation/vital', {
      method: 'PUT',
      token: lab,
      headers,
      body: JSON.stringify(observation('vital', 'laboratory')),
    });
    const missing = await call('Observation/never', {
      method: 'PUT',
      token: lab,
      headers,
      body: JSON.stringify(observation('never', 'laboratory')),
    });
    expect(hidden.status).to.equal(412);
    expect(shape(hidden, 'vital')).to.deep.equal(shape(missing, 'never'));
  });

  it('DELETE of a hidden id answers 204 like a missing one, and deletes nothing', async () => {
    const hidden = await call('Observation/vital', { method: 'DELETE', token: lab });
    const missing = await call('Observation/never', { method: 'DELETE', token: lab });
    expect(hidden.status).to.equal(204);
    expect(shape(hidden, 'vital')).to.deep.equal(shape(missing, 'never'));
    expect((await call('Observation/vital')).status).to.equal(200);
  });

  it('a conditional PUT whose body names a hidden id answers as for a missing one', async () => {
    const put = (id: string) =>
      call('Observation?identifier=urn:test|nothing-matches', {
        method: 'PUT',
        token: lab,
        body: JSON.stringify(observation(id, 'laboratory')),
      });
    expect(shape(await put('vital'), 'vital')).to.deep.equal(shape(await put('never'), 'never'));
    expect((await call('Observation/vital')).body.meta.versionId).to.equal('1');
  });

  it('what the caller may see it still updates, and without an id it still creates', async () => {
    const created = await call('Observation', {
      method: 'POST',
      token: lab,
      body: JSON.stringify({ ...observation('x', 'laboratory'), id: undefined }),
    });
    expect(created.status).to.equal(201);
    const id = created.body.id as string;
    const updated = await call(`Observation/${id}`, {
      method: 'PUT',
      token: lab,
      body: JSON.stringify({ ...observation(id, 'laboratory'), status: 'amended' }),
    });
    expect(updated.status).to.equal(200);
    const conditional = await call('Observation?identifier=urn:test|new-one', {
      method: 'PUT',
      token: lab,
      body: JSON.stringify({
        ...observation('x', 'laboratory'),
        id: undefined,
        identifier: [{ system: 'urn:test', value: 'new-one' }],
      }),
    });
    expect(conditional.status).to.equal(201);
  });
});
