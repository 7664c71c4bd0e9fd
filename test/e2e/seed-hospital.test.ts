import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { loadConfig } from '../../server/config.ts';
import { VIEWS } from '../../server/domain/hospital/views.ts';
import { validateAgainstProfile } from '../../server/fhir/validation/index.ts';
import { hospitalSeed } from '../../seed/data/hospital/index.ts';
import { callAs, cliEnv, startTestServer, type TestServer } from '../support/harness.ts';
import { personToken } from '../support/smart-flow.ts';

type Json = Record<string, any>;

const run = promisify(execFile);
const CLASSIFICATION = 'https://zorgpoort.nl/fhir/StructureDefinition/portal-classification';
const ORG_TYPE = 'http://nictiz.nl/fhir/NamingSystem/organization-type';
const UZI_ROLE = 'http://fhir.nl/fhir/NamingSystem/uzi-rolcode';
const JO = 'Patient/hz-johanna-hendriks';
/** The device screens. */
const DEVICE_KINDS = ['implants', 'inserted-materials', 'medical-aids'];

const ids = (bundle: Json, type?: string) =>
  (bundle.entry ?? [])
    .filter((e: Json) => e.search?.mode !== 'outcome' && (!type || e.resource.resourceType === type))
    .map((e: Json) => `${e.resource.resourceType as string}/${e.resource.id as string}`);
const matches = (bundle: Json) => (bundle.entry ?? []).filter((e: Json) => e.search?.mode === 'match');
const classes = (bundle: Json) =>
  new Set(
    matches(bundle).flatMap((e: Json) =>
      (e.search.extension ?? [])
        .filter((x: Json) => x.url === CLASSIFICATION)
        .map((x: Json) => x.valueCoding.code as string),
    ),
  );

/**
 * `npm run seed -- hospital` (seed 002's demo) on a fresh server: it loads, a second run changes
 * nothing, every resource meets the nl-core profile it claims, and the portal's screens show
 * what the printed guide promises — read as the caregivers it names, with real tokens.
 */
describe('npm run seed -- hospital', function () {
  this.timeout(300_000);
  let dir: string;
  let server: TestServer;
  let printed = '';
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  const view = async (as: string, patient: string | undefined, code: string) => {
    const res = await call(`${patient ?? 'Patient'}/$portal-view?view=${code}`, as);
    expect(res.status, `${code} as ${as}: ${JSON.stringify(res.body).slice(0, 300)}`).to.equal(200);
    return res.body;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seed-hospital-'));
    server = await startTestServer(
      {},
      {
        pgliteDataDir: join(dir, 'pglite'),
        config: {
          smart: { ...loadConfig({}).smart, devLogin: true, cookieKeys: [] },
          access: {
            ...loadConfig({}).access,
            breakTheGlass: { roles: [`${UZI_ROLE}|01.015`], organizations: [`${ORG_TYPE}|HAP`], hours: 12 },
          },
        },
      },
    );
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const seed = () =>
    run(process.execPath, ['--import', 'tsx', 'seed/load.ts', 'hospital'], { env: cliEnv(server) });

  it('meets the nl-core profiles it claims', () => {
    const seedData = hospitalSeed(new Date());
    const all = [...seedData.directory, ...seedData.patients.flatMap((p) => p.resources)];
    const errors = all.flatMap((r) =>
      (r.meta?.profile ?? []).flatMap((url: string) =>
        (validateAgainstProfile(r, url) ?? [{ severity: 'error', diagnostics: `${url} not loaded` }])
          .filter((i) => i.severity === 'error' || i.severity === 'fatal')
          .map((i) => `${r.resourceType}/${r.id}: ${i.diagnostics}`),
      ),
    );
    expect(errors).to.deep.equal([]);
    expect(all.filter((r) => r.meta?.profile).length).to.be.greaterThan(100);
  });

  it('loads on a fresh server and prints who to log in as', async () => {
    const { stdout, stderr } = await seed();
    expect(stderr).to.not.contain('failed');
    expect(stderr).to.match(/hospital demo: (\d+) of \1 resources created/);
    expect(stdout).to.match(/GP with consent\s+Practitioner\/hz-huisarts-bakker\s+UZI 900010001/);
    expect(stdout).to.match(/GP without consent\s+Practitioner\/hz-huisarts-kok/);
    expect(stdout).to.match(/GP post doctor.*Practitioner\/hz-hap-arts-mulder/);
    expect(stdout).to.match(/elderly-care physician\s+Practitioner\/hz-so-visser/);
    expect(stdout).to.match(/a patient\s+Patient\/hz-johanna-hendriks\s+BSN 999991012/);
    expect(stdout).to.contain(`ACCESS_BTG_ORGANIZATIONS='${ORG_TYPE}|HAP'`);
    expect(stdout, 'printPeople lists them').to.match(
      /Ellen Visser\s+Practitioner\/hz-so-visser\s+UZI 900010004\s+Specialist ouderengeneeskunde \(01\.047\)/,
    );
    printed = stdout;
  });

  it('a second run changes nothing and fails nothing', async () => {
    expect(printed, 'the first run loaded').to.not.equal('');
    const seedData = hospitalSeed(new Date());
    const all = [...seedData.directory, ...seedData.patients.flatMap((p) => p.resources)];
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

  describe('the portal as the GP with consent', () => {
    before(async () => {
      for (const who of ['hz-huisarts-bakker', 'hz-huisarts-kok', 'hz-hap-arts-mulder', 'hz-so-visser']) {
        tokens[who] = await personToken(server, `Practitioner/${who}`);
      }
    });

    it('lists the inpatients of both hospitals, and the ER visits of the last 7 days only', async () => {
      const inpatients = await view('hz-huisarts-bakker', undefined, 'inpatients');
      expect(ids(inpatients, 'Encounter').sort()).to.deep.equal([
        'Encounter/hz-jo-opname-zgt',
        'Encounter/hz-wim-opname-mst',
      ]);
      expect(ids(inpatients, 'Patient')).to.include(JO);
      const er = await view('hz-huisarts-bakker', undefined, 'er-visits');
      expect(ids(er, 'Encounter'), "Willem's visit was 10 days ago").to.deep.equal([
        'Encounter/hz-jo-seh-zgt',
      ]);
    });

    it('shows medication in all five categories', async () => {
      const medication = await view('hz-huisarts-bakker', JO, 'medication');
      expect([...classes(medication)].sort()).to.deep.equal([
        'active-clinical',
        'active-home',
        'ended',
        'planned',
        'stopped',
      ]);
    });

    it("shows the hospital's lab results with low and high flags, not the GP's own order nor a preliminary one", async () => {
      const lab = await view('hz-huisarts-bakker', JO, 'laboratory');
      expect([...classes(lab)]).to.include.members(['high', 'low', 'normal']);
      const shown = matches(lab).map((e: Json) => e.resource.id as string);
      expect(shown).to.include.members(['hz-jo-hb-1', 'hz-jo-hb-395', 'hz-jo-sputumkweek-uitslag']);
      expect(shown).to.not.include('hz-jo-tsh-huisarts');
      expect(shown).to.not.include('hz-jo-crp-voorlopig');
      const computed = matches(lab).filter(
        (e: Json) =>
          !e.resource.interpretation && ['high', 'low'].includes(e.search.extension?.[0]?.valueCoding.code),
      );
      expect(computed.length, 'flags the portal computes from the range').to.be.greaterThan(3);
      const series = await call(`${JO}/$portal-lab-series?code=http://loinc.org|718-7`, 'hz-huisarts-bakker');
      expect(series.status, JSON.stringify(series.body).slice(0, 300)).to.equal(200);
    });

    it('shows radiology with its image', async () => {
      const radiology = await view('hz-huisarts-bakker', JO, 'radiology');
      expect(ids(radiology)).to.include.members([
        'DiagnosticReport/hz-jo-xthorax',
        'Media/hz-jo-xthorax-beeld',
      ]);
      const media = radiology.entry.find((e: Json) => e.resource.resourceType === 'Media');
      expect(media.search.mode).to.equal('include');
      expect(Buffer.from(media.resource.content.data, 'base64').subarray(1, 4).toString()).to.equal('PNG');
    });

    it('leaves out what is not approved or not yet due', async () => {
      const allergies = ids(await view('hz-huisarts-bakker', JO, 'allergies'));
      expect(allergies).to.deep.equal(['AllergyIntolerance/hz-jo-allergie-penicilline']);
      const operations = await view('hz-huisarts-bakker', JO, 'operations');
      expect(ids(operations)).to.include('ServiceRequest/hz-jo-wachtlijst-staar');
      expect(ids(operations), 'on the waiting list without an appointment').to.not.include(
        'ServiceRequest/hz-jo-wachtlijst-liesbreuk',
      );
      expect([...classes(operations)].sort()).to.deep.equal(['done', 'planned', 'waiting-list']);
      const letters = await view('hz-huisarts-bakker', JO, 'letters');
      expect(ids(letters)).to.not.include('DocumentReference/hz-jo-ontslagbrief-concept');
      const pdf = matches(letters)[0].resource.content[0].attachment;
      expect(Buffer.from(pdf.data, 'base64').subarray(0, 5).toString()).to.equal('%PDF-');
      expect(ids(await view('hz-huisarts-bakker', JO, 'alerts'))).to.deep.equal(['Flag/hz-jo-mrsa']);
      expect(ids(await view('hz-huisarts-bakker', JO, 'referrals'))).to.deep.equal([
        'ServiceRequest/hz-jo-verwijzing-longarts',
      ]);
    });

    it('has data for every screen (Johanna as her GP, Hendrika as her elderly-care physician)', async () => {
      const empty: string[] = [];
      for (const v of VIEWS.filter((x) => x.scope === 'patient' && !DEVICE_KINDS.includes(x.code))) {
        const jo = await view('hz-huisarts-bakker', JO, v.code);
        if (matches(jo).length) continue;
        const riek = await view('hz-so-visser', 'Patient/hz-hendrika-nijhuis', v.code);
        if (!matches(riek).length) empty.push(v.code);
      }
      expect(empty).to.deep.equal([]);
    });

    it('has an implant, an inserted material and a medical aid (read by an unrestricted caller)', async () => {
      const shown = async (patient: string, code: string) => {
        const res = await server.fetch(`${patient}/$portal-view?view=${code}`, {
          headers: { accept: 'application/fhir+json' },
        });
        return ids((await res.json()) as Json, 'DeviceUseStatement');
      };
      expect(await shown(JO, 'implants')).to.deep.equal(['DeviceUseStatement/hz-jo-pacemaker']);
      const riek = 'Patient/hz-hendrika-nijhuis';
      expect(await shown(riek, 'inserted-materials')).to.deep.equal(['DeviceUseStatement/hz-riek-katheter']);
      expect(await shown(riek, 'medical-aids')).to.deep.equal(['DeviceUseStatement/hz-riek-rolstoel']);
    });

    // Device joins the Patient compartment by Device.patient (profiles/compartment-patient-additions.json).
    it('shows the implant as an implant to the GP, with its device', async () => {
      const implants = await view('hz-huisarts-bakker', JO, 'implants');
      expect(ids(implants)).to.include('DeviceUseStatement/hz-jo-pacemaker');
      expect(ids(await view('hz-huisarts-bakker', JO, 'medical-aids'))).not.to.include(
        'DeviceUseStatement/hz-jo-pacemaker',
      );
    });
  });

  describe('the others', () => {
    it("the GP without consent sees her patient, but not the hospital's lab results", async () => {
      expect((await call('Patient/hz-gerrit-bosch', 'hz-huisarts-kok')).status).to.equal(200);
      const lab = await view('hz-huisarts-kok', 'Patient/hz-gerrit-bosch', 'laboratory');
      expect(matches(lab)).to.have.length(0);
      expect((await call('Observation/hz-gerrit-hb', 'hz-huisarts-kok')).status).to.equal(404);
      expect((await call(`${JO}`, 'hz-huisarts-kok')).status, 'not her patient').to.equal(404);
    });

    it('the GP post doctor sees no one, and is told the glass can be broken', async () => {
      const res = await call(JO, 'hz-hap-arts-mulder');
      expect(res.status).to.equal(404);
      expect(res.body.issue.map((i: Json) => i.code)).to.deep.equal(['not-found', 'suppressed']);
    });

    it('the elderly-care physician sees her nursing-home patient through the episode of care', async () => {
      const limits = await view('hz-so-visser', 'Patient/hz-hendrika-nijhuis', 'treatment-limitations');
      expect(ids(limits)).to.deep.equal(['Consent/hz-riek-niet-reanimeren']);
      const er = await view('hz-so-visser', undefined, 'er-visits');
      expect(ids(er, 'Encounter')).to.deep.equal(['Encounter/hz-riek-seh-zgt']);
      expect((await call(JO, 'hz-so-visser')).status).to.equal(404);
    });
  });
});
