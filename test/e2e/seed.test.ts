import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { fhirClient } from '../support/client.ts';
import { cliEnv, startTestServer, type TestServer } from '../support/harness.ts';
import { personToken } from '../support/smart-flow.ts';

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
  let printed = '';
  let server: TestServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seed-'));
    server = await startTestServer(
      {},
      { pgliteDataDir: join(dir, 'pglite'), config: { smart: { devLogin: true, cookieKeys: [] } } },
    );
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
    printed = stdout;
  });

  it('builds the demo care collective, whose printed logins work in every role', async () => {
    expect(printed).to.contain('Care collective Zorgcollectief De Linde (demo)');
    const person = (given: string) => {
      const m = new RegExp(`${given} \\S+\\s+(Practitioner/[\\w-]+)\\s+ZRN (\\S+)`).exec(printed);
      expect(m, given).to.not.equal(null);
      return { ref: m![1]!, zrn: m![2]! };
    };
    const waiting = printed.split('\n').filter((l) => / code [A-Z0-9]{4}-/.test(l));
    expect(waiting.map((l) => l.trim().split(/\s+/)[0]).sort()).to.deep.equal(['Diabetes', 'Eczeem']);
    const as = async (given: string) => {
      const token = await personToken(server, person(given).ref);
      return (path: string) =>
        server
          .fetch(path, { headers: { authorization: token, accept: 'application/fhir+json' } })
          .then(async (r) => ({
            status: r.status,
            body: (await r.json()) as Record<string, any>,
          }));
    };
    const carla = await as('Carla');
    expect((await carla('Patient/demo-alfreda-wyman')).status, 'her active plan').to.equal(200);
    const messages = await carla('Communication?subject=Patient/demo-alfreda-wyman');
    expect(messages.body.entry?.length).to.equal(2);
    const gijs = await as('Gijs');
    expect((await gijs('Patient/demo-alfreda-wyman')).status, 'transmural, through the Wijkteam').to.equal(
      200,
    );
    const ada = await as('Ada');
    const collective = /\((Organization\/[\w-]+)\):/.exec(printed)![1]!;
    const overview = await ada(`${collective}/$overview`);
    expect(overview.status).to.equal(200);
    expect(overview.body.parameter.filter((p: { name: string }) => p.name === 'activePlan')).to.have.length(
      2,
    );
    expect((await ada('Patient/demo-alfreda-wyman')).status, 'an administrator reads no record').to.equal(
      404,
    );
    const bert = await as('Bert');
    expect(
      (await bert(`${collective}/$waiting-for-activation`)).status,
      'a beheerder is no casemanager',
    ).to.equal(403);
  });

  it('a second run changes nothing and says so', async () => {
    const client = await fhirClient(server);
    const count = async (type: string) =>
      ((await client.search({ resourceType: type, searchParams: { _summary: 'count' } })) as fhir4.Bundle)
        .total;
    const before = { patients: await count('Patient'), observations: await count('Observation') };
    expect(before.patients, "ten demo patients and the draft plan's patient without BSN").to.equal(11);
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
