import { expect } from 'chai';
import { fhirClient, type FhirClient } from '../support/client.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('history: instance, type and system level', () => {
  let server: TestServer;
  let client: FhirClient;
  let id: string;
  let beforeSecond: string;
  before(async () => {
    server = await startTestServer();
    client = await fhirClient(server);
    const created = await client.create({ resourceType: 'Observation', body: obs('1') });
    id = created.id;
    await sleep(20);
    beforeSecond = new Date().toISOString();
    await sleep(20);
    for (const v of ['2', '3', '4']) {
      await client.update({ resourceType: 'Observation', id, body: { ...obs(v), id } });
    }
    await client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', active: true } });
  });
  after(() => server.close());

  function obs(value: string) {
    return { resourceType: 'Observation', status: 'final', code: { text: 'heart rate' }, valueString: value };
  }

  it('instance history lists every version newest first, with total', async () => {
    const bundle = await client.resourceHistory({ resourceType: 'Observation', id });
    expect(bundle.type).to.equal('history');
    expect(bundle.total).to.equal(4);
    expect(bundle.entry.map((e: any) => e.resource.meta.versionId)).to.deep.equal(['4', '3', '2', '1']);
    expect(bundle.entry[3].request).to.deep.equal({ method: 'POST', url: 'Observation' });
    expect(bundle.entry[0].request).to.deep.equal({ method: 'PUT', url: `Observation/${id}` });
    expect(bundle.entry[0].response.etag).to.equal('W/"4"');
  });

  it('_since keeps the versions written at or after the instant', async () => {
    const bundle = await client.request(
      `Observation/${id}/_history?_since=${encodeURIComponent(beforeSecond)}`,
    );
    expect(bundle.entry.map((e: any) => e.resource.meta.versionId)).to.deep.equal(['4', '3', '2']);
  });

  it('_at gives the version current at that instant', async () => {
    const res = await server.fetch(`Observation/${id}/_history?_at=${encodeURIComponent(beforeSecond)}`);
    const bundle = await res.json();
    expect(bundle.entry.map((e: any) => e.resource.meta.versionId)).to.deep.equal(['1']);
  });

  it('type history only has that type; system history has all', async () => {
    const type = await client.typeHistory({ resourceType: 'Patient' });
    expect(type.entry.map((e: any) => e.resource.resourceType)).to.deep.equal(['Patient']);
    const system = await client.systemHistory();
    expect(system.entry).to.have.length(5);
    expect(system.entry[0].resource.resourceType).to.equal('Patient');
  });

  it('refuses history parameters it does not apply, and ignores _format over HTTP and in Bundle entries', async () => {
    for (const param of ['_summary=true', '_elements=id', '_sort=_lastUpdated']) {
      const res = await server.fetch(`Observation/${id}/_history?${param}`);
      expect(res.status, param).to.equal(400);
      expect((await res.json()).resourceType).to.equal('OperationOutcome');
    }
    const xml = await server.fetch(`Observation/${id}/_history?_format=xml&_pretty=true`);
    expect(xml.status).to.equal(200);
    expect(await xml.text()).to.contain('<type value="history"/>');
    const batch = await client.batch({
      body: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [{ request: { method: 'GET', url: `Observation/${id}/_history?_format=json&_count=1` } }],
      },
    });
    expect(batch.entry[0].response.status).to.equal('200 OK');
    expect(batch.entry[0].resource.entry).to.have.length(1);
  });

  it('_count pages through every version exactly once, also while new versions are written', async () => {
    const seen: string[] = [];
    let bundle = await client.request('_history?_count=2');
    let pages = 0;
    for (;;) {
      pages++;
      expect(bundle.entry.length).to.be.at.most(2);
      seen.push(
        ...bundle.entry.map(
          (e: any) => `${e.resource.resourceType}/${e.resource.id}/${e.resource.meta.versionId}`,
        ),
      );
      if (pages === 1)
        await client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', active: false } });
      const next = client.nextPage({ bundle });
      if (!next) break;
      bundle = await next;
    }
    expect(pages).to.equal(3);
    expect(seen).to.have.length(5);
    expect(new Set(seen).size).to.equal(5);
  });
});
