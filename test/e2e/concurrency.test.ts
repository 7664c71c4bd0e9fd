import { expect } from 'chai';
import { failure, useFhirServer } from '../support/client.ts';
import { jsonHeaders } from '../support/harness.ts';

const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';

describe('conditional interactions and concurrency', () => {
  const env = useFhirServer();

  const patient = (bsn: string, extra: object = {}) => ({
    resourceType: 'Patient',
    identifier: [{ system: BSN, value: bsn }],
    ...extra,
  });
  const count = async (query: string) =>
    (await env.client.request(`Patient?${query}&_total=accurate`)).total as number;

  it('conditional create: a match is returned (200) instead of creating; several matches are 412', async () => {
    const headers = jsonHeaders({ 'If-None-Exist': `identifier=${BSN}|111222333` });
    const first = await env.server.fetch('Patient', {
      method: 'POST',
      headers,
      body: JSON.stringify(patient('111222333')),
    });
    expect(first.status).to.equal(201);
    const second = await env.server.fetch('Patient', {
      method: 'POST',
      headers,
      body: JSON.stringify(patient('111222333')),
    });
    expect(second.status).to.equal(200);
    expect((await second.json()).id).to.equal((await first.json()).id);
    await env.client.create({ resourceType: 'Patient', body: patient('111222333') });
    const third = await env.server.fetch('Patient', {
      method: 'POST',
      headers,
      body: JSON.stringify(patient('111222333')),
    });
    expect(third.status).to.equal(412);
  });

  it('20 parallel conditional creates with the same identifier create exactly one resource', async () => {
    const headers = jsonHeaders({ 'If-None-Exist': `identifier=${BSN}|555000555` });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        env.server.fetch('Patient', { method: 'POST', headers, body: JSON.stringify(patient('555000555')) }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).to.have.length(1);
    expect(statuses.filter((s) => s === 200)).to.have.length(19);
    const ids = new Set(await Promise.all(responses.map(async (r) => (await r.json()).id)));
    expect(ids.size).to.equal(1);
    expect(await count(`identifier=${BSN}|555000555`)).to.equal(1);
  });

  it('conditional creates spelled differently but matching the same resource still create exactly one', async () => {
    for (let round = 0; round < 5; round++) {
      const value = `42424242${round}`;
      const spellings = [
        `identifier=${BSN}|${value}`,
        `identifier=${value}`,
        `identifier=${BSN}|${value}&identifier=${BSN}|${value}`,
        `identifier=${value}&identifier=${BSN}|${value}`,
        `identifier=${BSN}|`,
      ];
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          env.server.fetch('Patient', {
            method: 'POST',
            headers: jsonHeaders({ 'If-None-Exist': spellings[n % spellings.length]! }),
            body: JSON.stringify(patient(value)),
          }),
        ),
      );
      // The `system|` spelling may match the earlier rounds' patients too (then 412); never a second create.
      expect(
        responses.filter((r) => r.status === 201),
        `round ${round}`,
      ).to.have.length.at.most(1);
      expect(await count(`identifier=${BSN}|${value}`), `round ${round}`).to.equal(1);
    }
  });

  it('repeated _id criteria AND: two different ids match nothing', async () => {
    const a = await env.client.create({ resourceType: 'Patient', body: patient('232323232') });
    const res = await env.server.fetch(`Patient?_id=${a.id}&_id=does-not-exist`, { method: 'DELETE' });
    expect(res.status).to.equal(204);
    expect((await env.client.read({ resourceType: 'Patient', id: a.id })).id).to.equal(a.id);
  });

  it('conditional update without a match refuses to overwrite another resource named by the body id (409)', async () => {
    const victim = await env.client.create({ resourceType: 'Patient', body: patient('343434343') });
    const res = await env.server.fetch(`Patient?identifier=${encodeURIComponent(`${BSN}|000000001`)}`, {
      method: 'PUT',
      headers: jsonHeaders(),
      body: JSON.stringify({ ...patient('000000001'), id: victim.id }),
    });
    expect(res.status).to.equal(409);
    expect((await env.client.read({ resourceType: 'Patient', id: victim.id })).meta.versionId).to.equal('1');
  });

  it('conditional update: no match creates, one match updates, several are 412', async () => {
    const put = (bsn: string, body: object) =>
      env.server.fetch(`Patient?identifier=${encodeURIComponent(`${BSN}|${bsn}`)}`, {
        method: 'PUT',
        headers: jsonHeaders(),
        body: JSON.stringify(body),
      });
    const created = await put('777000777', patient('777000777', { gender: 'male' }));
    expect(created.status).to.equal(201);
    const id = (await created.json()).id;
    const updated = await put('777000777', patient('777000777', { gender: 'female' }));
    expect(updated.status).to.equal(200);
    const body = await updated.json();
    expect(body.id).to.equal(id);
    expect(body.meta.versionId).to.equal('2');
    const wrongId = await put('777000777', { ...patient('777000777'), id: 'someone-else' });
    expect(wrongId.status).to.equal(400);
    await env.client.create({ resourceType: 'Patient', body: patient('777000777') });
    expect((await put('777000777', patient('777000777'))).status).to.equal(412);
  });

  it('conditional delete removes the single match; unknown or missing criteria are refused', async () => {
    const created = await env.client.create({ resourceType: 'Patient', body: patient('888000888') });
    const res = await env.server.fetch(`Patient?identifier=${encodeURIComponent(`${BSN}|888000888`)}`, {
      method: 'DELETE',
    });
    expect(res.status).to.equal(204);
    expect((await failure(env.client.read({ resourceType: 'Patient', id: created.id }))).status).to.equal(
      410,
    );
    const unknown = await env.server.fetch('Patient?no-such-parameter=Jansen', { method: 'DELETE' });
    expect(unknown.status).to.equal(400);
    const none = await env.server.fetch('Patient', { method: 'DELETE' });
    expect(none.status).to.equal(400);
  });

  it('conditional patch patches the single match', async () => {
    const created = await env.client.create({ resourceType: 'Patient', body: patient('999000999') });
    const res = await env.server.fetch(`Patient?identifier=${encodeURIComponent(`${BSN}|999000999`)}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'add', path: '/active', value: true }]),
    });
    expect(res.status).to.equal(200);
    expect((await env.client.read({ resourceType: 'Patient', id: created.id })).active).to.equal(true);
  });

  it('two updates with the same If-Match: one 200, one 412', async () => {
    const created = await env.client.create({ resourceType: 'Patient', body: patient('123123123') });
    const put = (gender: string) =>
      env.server.fetch(`Patient/${created.id}`, {
        method: 'PUT',
        headers: jsonHeaders({ 'If-Match': 'W/"1"' }),
        body: JSON.stringify({ ...created, gender }),
      });
    for (let round = 0; round < 5; round++) {
      const id = created.id;
      const current = await env.client.read({ resourceType: 'Patient', id });
      const etag = `W/"${current.meta.versionId}"`;
      const [a, b] = await Promise.all(
        ['male', 'female'].map((gender) =>
          env.server.fetch(`Patient/${id}`, {
            method: 'PUT',
            headers: jsonHeaders({ 'If-Match': etag }),
            body: JSON.stringify({
              ...current,
              gender: round % 2 ? gender : `${gender === 'male' ? 'other' : 'unknown'}`,
            }),
          }),
        ),
      );
      expect([a!.status, b!.status].sort()).to.deep.equal([200, 412]);
    }
    expect((await put('male')).status).to.equal(412);
  });

  it('concurrent transactions on the same resources never surface a deadlock as a 500', async () => {
    const a = await env.client.create({ resourceType: 'Patient', body: patient('100000001') });
    const b = await env.client.create({ resourceType: 'Patient', body: patient('100000002') });
    // Opposite lock orders are the classic deadlock; the spec's processing order does not help here.
    const tx = (first: any, second: any, n: number) => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [first, second].map((p) => ({
        resource: { ...p, active: n % 2 === 0, birthDate: `19${10 + n}-01-01` },
        request: { method: 'PUT', url: `Patient/${p.id}` },
      })),
    });
    const responses = await Promise.all(
      Array.from({ length: 16 }, (_, n) =>
        env.server.fetch('', {
          method: 'POST',
          headers: jsonHeaders(),
          body: JSON.stringify(n % 2 ? tx(a, b, n) : tx(b, a, n)),
        }),
      ),
    );
    for (const r of responses) expect([200, 409]).to.include(r.status);
    expect(responses.filter((r) => r.status === 200).length).to.be.greaterThan(0);
    const [ha, hb] = await Promise.all([
      env.client.resourceHistory({ resourceType: 'Patient', id: a.id }),
      env.client.resourceHistory({ resourceType: 'Patient', id: b.id }),
    ]);
    // Each committed transaction wrote both resources; none half.
    expect(ha.total).to.equal(hb.total);
  });
});
