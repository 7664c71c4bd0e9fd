import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { loadConfig } from '../../server/config.ts';
import { callAs, cliEnv, startTestServer, type TestServer } from '../support/harness.ts';
import { personToken } from '../support/smart-flow.ts';

type Json = Record<string, any>;

const run = promisify(execFile);
const ids = (bundle: Json) =>
  (bundle.entry ?? [])
    .filter((e: Json) => e.search?.mode !== 'include')
    .map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`)
    .sort();

/**
 * `npm run seed -- practice` (seed 004's demo) on a fresh server: it loads, prints whom to log in
 * as, a second run the same day changes nothing, and the gate holds for the people it names: a
 * patient reads their own medication, results and advice; the practice's GP sees its patients;
 * the other practice's assistant sees none of them.
 */
describe('npm run seed -- practice', function () {
  this.timeout(300_000);
  let dir: string;
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seed-practice-'));
    server = await startTestServer(
      {},
      {
        pgliteDataDir: join(dir, 'pglite'),
        config: { smart: { ...loadConfig({}).smart, devLogin: true, cookieKeys: [] } },
      },
    );
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const seed = () =>
    run(process.execPath, ['--import', 'tsx', 'seed/load.ts', 'practice'], { env: cliEnv(server) });

  it('loads on a fresh server and prints who to log in as', async () => {
    const { stdout, stderr } = await seed();
    expect(stderr).to.not.contain('failed');
    expect(stderr).to.match(/practice demo: (\d+) of \1 resources created/);
    expect(stdout).to.match(/Practitioner\/gp-anker-assistent-jansen\s+Huisartsenpraktijk Het Anker/);
    expect(stdout).to.match(/Patient\/gp-patient-marieke-de-jong\s+BSN 999994001/);
    expect(stdout).to.contain('README "Patient portal"');
  });

  it('a second run the same day changes nothing and fails nothing', async () => {
    const { stderr } = await seed();
    expect(stderr).to.not.contain('failed');
    expect(stderr).to.contain('already loaded (unchanged)');
  });

  it("a patient reads their own medication, results and the GP's advice, and nobody else's", async () => {
    tokens.marieke = await personToken(server, 'Patient/gp-patient-marieke-de-jong');
    const meds = await call('MedicationRequest?status=active', 'marieke');
    expect(meds.status).to.equal(200);
    expect(ids(meds.body)).to.deep.equal([
      'MedicationRequest/gp-mr-marieke-lisinopril',
      'MedicationRequest/gp-mr-marieke-metformine',
    ]);
    const results = await call('Observation?category=laboratory', 'marieke');
    expect(ids(results.body)).to.deep.equal(['Observation/gp-obs-marieke-hba1c']);
    const advice = await call('Composition/gp-advies-marieke', 'marieke');
    expect(advice.status).to.equal(200);
    expect(advice.body.section[0].text.div).to.contain('metformine');
    const henks = await call('MedicationRequest/gp-mr-henk-simvastatine', 'marieke');
    expect(henks.status).to.equal(404);
  });

  it("the practice's GP sees its patients; the other practice's assistant sees none of them", async () => {
    tokens.gp = await personToken(server, 'Practitioner/gp-anker-huisarts-bakker');
    tokens.other = await personToken(server, 'Practitioner/gp-brug-assistent-visser');
    const mine = await call('Patient?_count=50', 'gp');
    expect(ids(mine.body)).to.deep.equal([
      'Patient/gp-patient-henk-mulder',
      'Patient/gp-patient-marieke-de-jong',
    ]);
    const theirs = await call('Patient?_count=50', 'other');
    expect(ids(theirs.body)).to.deep.equal(['Patient/gp-patient-fatma-yilmaz']);
    const hidden = await call('MedicationRequest/gp-mr-marieke-metformine', 'other');
    expect(hidden.status).to.equal(404);
  });

  it('publishes the webagenda: free 15-minute slots of the GP and the physician assistant', async () => {
    const slots = await call(
      'Slot?schedule=Schedule/gp-agenda-gp-anker-huisarts-bakker&status=free&_summary=count',
      'gp',
    );
    expect(slots.status).to.equal(200);
    expect(slots.body.total).to.equal(160);
  });
});
