import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { fhirClient, type FhirClient } from '../support/client.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { forEachReference } from '../../server/fhir/bundle/references.ts';

const DIR = new URL('../fixtures/synthea/', import.meta.url);
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('Synthea patients load as transactions', () => {
  let server: TestServer;
  let client: FhirClient;
  const queries: string[] = [];
  const count = (sql: string) => queries.push(sql);
  before(async () => {
    server = await startTestServer();
    client = await fhirClient(server);
  });
  after(() => server.close());

  it(`loads all ${files.length} dev-10 bundles in bulk statements`, async function () {
    this.timeout(240_000);
    expect(files).to.have.length(10);
    let entries = 0;
    for (const file of files) {
      const bundle = JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));
      queries.length = 0;
      server.app.db.knex.on('query', count);
      const res = await client.transaction({ body: bundle });
      server.app.db.knex.off('query', count);
      expect(res.entry).to.have.length(bundle.entry.length);
      for (const e of res.entry) expect(e.response.status).to.equal('201 Created');
      // One round trip per entry would be ≥ 2 statements per entry; bulk writes need a handful per 500.
      expect(
        queries.length,
        `${file}: ${queries.length} statements for ${bundle.entry.length} entries`,
      ).to.be.below(bundle.entry.length / 10 + 10);
      entries += bundle.entry.length;
    }
    const history = await server.fetch('_history?_count=1');
    expect(history.status).to.equal(200);
    expect(entries).to.equal(1341);
  });

  it('every reference in the stored resources points at a resource that exists on the server', async function () {
    this.timeout(120_000);
    const rows = await server.app.db
      .knex('resource')
      .select('resource_type', 'id', 'content')
      .where({ deleted: false })
      .whereNot('resource_type', 'AuditEvent'); // the access log of the test's own requests
    expect(rows).to.have.length(1341);
    const existing = new Set(
      rows.map((r: { resource_type: string; id: string }) => `${r.resource_type}/${r.id}`),
    );
    const dangling: string[] = [];
    let checked = 0;
    for (const row of rows) {
      const resource = JSON.parse(row.content);
      const contained = new Set((resource.contained ?? []).map((c: { id: string }) => `#${c.id}`));
      forEachReference(resource, (ref) => {
        checked++;
        const ok = ref.startsWith('#') ? contained.has(ref) : existing.has(ref);
        if (!ok) dangling.push(`${row.resource_type}/${row.id} → ${ref}`);
      });
    }
    expect(checked).to.be.greaterThan(3000);
    expect(dangling, dangling.slice(0, 5).join('\n')).to.deep.equal([]);
    // And through the API: a sample of references resolves with a read.
    const obs = rows.find((r: { resource_type: string }) => r.resource_type === 'Observation');
    const subject = JSON.parse(obs.content).subject.reference.split('/');
    expect((await client.read({ resourceType: subject[0], id: subject[1] })).resourceType).to.equal(
      'Patient',
    );
  });
});
