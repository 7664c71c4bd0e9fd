import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { loadConfig } from '../../server/config.ts';
import { referralsSeed } from '../../seed/data/referrals/index.ts';
import { callAs, cliEnv, startTestServer, type TestServer } from '../support/harness.ts';
import { personToken } from '../support/smart-flow.ts';

type Json = Record<string, any>;

const run = promisify(execFile);
const matched = (bundle: Json) =>
  (bundle.entry ?? [])
    .filter((e: Json) => e.search?.mode === 'match')
    .map((e: Json) => e.resource.id as string);

/**
 * `npm run seed -- referrals` (seed 003's demo) on a fresh server: it loads, prints whom to log
 * in as, a second run changes nothing, and the people it names can do what it says: the GP
 * browses the catalogue for a patient, the cardiology admin manages the cardiology offerings.
 */
describe('npm run seed -- referrals', function () {
  this.timeout(300_000);
  let dir: string;
  let server: TestServer;
  let printed = '';
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  const all = referralsSeed().flatMap((p) => p.resources);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seed-referrals-'));
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
    run(process.execPath, ['--import', 'tsx', 'seed/load.ts', 'referrals'], { env: cliEnv(server) });

  it('loads on a fresh server and prints who to log in as', async () => {
    const { stdout, stderr } = await seed();
    expect(stderr).to.not.contain('failed');
    expect(stderr).to.match(/referrals demo: (\d+) of \1 resources created/);
    expect(stdout).to.match(/Practitioner\/ref-huisarts-de-vries\s+gp\s+Huisartsenpraktijk De Linde/);
    expect(stdout).to.match(
      /Practitioner\/ref-zo-beheer-cardiologie\s+admin-care-products\s+Ziekenhuis Oost/,
    );
    expect(stdout).to.match(/Patient\/ref-patient-gerrit-jansen\s+BSN 999992016/);
    expect(stdout).to.contain('HealthcareService/$catalogue?care-question=cardiologie');
    printed = stdout;
  });

  it('a second run changes nothing and fails nothing', async () => {
    expect(printed, 'the first run loaded').to.not.equal('');
    const versions = async () => {
      const out: Record<string, string> = {};
      for (const r of all) {
        const res = await server.fetch(`${r.resourceType}/${r.id}`, {
          headers: { accept: 'application/fhir+json' },
        });
        out[`${r.resourceType}/${r.id}`] = res.headers.get('etag') ?? `status ${res.status}`;
      }
      return out;
    };
    const before = await versions();
    expect(Object.values(before).every((v) => v === 'W/"1"')).to.equal(true);
    const { stderr } = await seed();
    expect(stderr).to.not.contain('failed');
    expect(stderr).to.contain('already loaded (unchanged)');
    expect(await versions()).to.deep.equal(before);
  });

  it('holds our code systems, searchable by url', async () => {
    const res = await server.fetch(
      `CodeSystem?url=${encodeURIComponent('https://zorgpoort.nl/fhir/CodeSystem/care-question')}`,
      { headers: { accept: 'application/fhir+json' } },
    );
    const bundle = await res.json();
    expect(bundle.entry[0].resource.concept.map((c: Json) => c.code)).to.include('cardiologie');
    const icpc = await (
      await server.fetch('CodeSystem/icpc-1-nl', { headers: { accept: 'application/fhir+json' } })
    ).json();
    expect(icpc.content).to.equal('fragment');
  });

  it('the GP finds care for a patient; the cardiology admin manages the cardiology offerings only', async () => {
    tokens.gp = await personToken(server, 'Practitioner/ref-huisarts-de-vries');
    tokens.cardio = await personToken(server, 'Practitioner/ref-zo-beheer-cardiologie');
    const found = await call(
      'HealthcareService/$catalogue?care-question=cardiologie&patient=Patient/ref-patient-gerrit-jansen',
      'gp',
    );
    expect(found.status).to.equal(200);
    expect(matched(found.body).sort()).to.deep.equal(['ref-zo-hartfalen', 'ref-zo-pob', 'ref-zo-ritme']);
    const lab = await call('HealthcareService/$catalogue?kind=diagnostics&_text=bloed', 'gp');
    expect(matched(lab.body)).to.deep.equal(['ref-dcn-bloed']);
    const pob = (await call('HealthcareService/ref-zo-pob', 'cardio')).body;
    delete pob.meta;
    const mine = await call('HealthcareService/ref-zo-pob', 'cardio', {
      method: 'PUT',
      body: JSON.stringify({ ...pob, comment: 'Beoordeling binnen één week.' }),
    });
    expect(mine.status).to.equal(200);
    const knie = (await call('HealthcareService/ref-zo-knie', 'cardio')).body;
    delete knie.meta;
    const other = await call('HealthcareService/ref-zo-knie', 'cardio', {
      method: 'PUT',
      body: JSON.stringify({ ...knie, comment: 'x' }),
    });
    expect(other.status).to.equal(403);
  });
});
