import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { fhirClient } from '../support/client.ts';
import { cliEnv, startTestServer, type TestServer } from '../support/harness.ts';

const run = promisify(execFile);
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';

/**
 * `npm run seed` on the database of a running server: on Postgres beside it (its own private
 * server on the same database), on PGlite through the server. One command, idempotent, and it
 * prints whom one can log in as.
 */
describe('npm run seed', function () {
  this.timeout(300_000);
  let dir: string;
  let server: TestServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seed-'));
    server = await startTestServer({}, { pgliteDataDir: join(dir, 'pglite') });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const seed = async () => {
    const env = cliEnv(server);
    return run(process.execPath, ['--import', 'tsx', 'seed/load.ts'], { env });
  };

  it('loads the demo network and patients, and prints how to log in as each person', async () => {
    const { stdout, stderr } = await seed();
    expect(stdout).to.match(
      /Anna de Vries\s+Practitioner\/demo-huisarts\s+UZI 900000001\s+Huisarts \(01\.015\) at Huisartsenpraktijk De Linde/,
    );
    expect(stdout).to.match(/Alfreda Wyman\s+Patient\/demo-alfreda-wyman\s+BSN 999990007/);
    expect(stdout).to.contain('DEV_LOGIN=on');
    expect(stderr).to.match(/seeded [\d,]+ resources into (pglite|postgres) in [\d.]+ s\n/);
    expect(stderr).to.not.contain('failed');

    const client = await fhirClient(server);
    const found = (await client.search({
      resourceType: 'Patient',
      searchParams: { identifier: `${BSN}|999990007` },
    })) as fhir4.Bundle;
    const patient = found.entry?.[0]?.resource as fhir4.Patient;
    expect(patient.id).to.equal('demo-alfreda-wyman');
    expect(patient.generalPractitioner?.map((r) => r.reference)).to.deep.equal([
      'Practitioner/demo-huisarts',
      'Organization/demo-praktijk',
    ]);
    const observations = (await client.search({
      resourceType: 'Observation',
      searchParams: { patient: 'demo-alfreda-wyman', _summary: 'count' },
    })) as fhir4.Bundle;
    expect(observations.total, 'the Synthea record came along').to.be.greaterThan(10);
  });

  it('a second run changes nothing and says so', async () => {
    const client = await fhirClient(server);
    const count = async (type: string) =>
      ((await client.search({ resourceType: type, searchParams: { _summary: 'count' } })) as fhir4.Bundle)
        .total;
    const before = { patients: await count('Patient'), observations: await count('Observation') };
    expect(before.patients).to.equal(10);
    const { stderr } = await seed();
    expect(stderr).to.contain('already loaded');
    expect({ patients: await count('Patient'), observations: await count('Observation') }).to.deep.equal(
      before,
    );
  });

  it('leaves no working credentials behind: its own client is revoked', async () => {
    const clients = await server.app.smart.clients.list();
    const seedClients = clients.filter((c) => c.name === 'npm run seed (temporary)');
    expect(seedClients).to.have.length(2);
    expect(seedClients.every((c) => c.revokedAt)).to.equal(true);
  });
});
