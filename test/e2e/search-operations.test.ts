import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { failure, fhirClient, useFhirServer } from '../support/client.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';

const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const HOUSE_NUMBER = 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber';
const PARTNER_NAME = 'http://hl7.org/fhir/StructureDefinition/humanname-partner-name';
const OWN_NAME = 'http://hl7.org/fhir/StructureDefinition/humanname-own-name';

const ids = (bundle: any, mode?: string): string[] =>
  (bundle.entry ?? [])
    .filter((e: any) => !mode || e.search?.mode === mode)
    .map((e: any) => `${e.resource.resourceType}/${e.resource.id}`)
    .sort();

/** An nl-core-style Patient: own and partner name as family extensions, house number on the line. */
function dutchPatient(
  own: string,
  partner: string,
  postcode: string,
  houseNumber: string,
  birthDate: string,
) {
  return {
    resourceType: 'Patient',
    name: [
      {
        use: 'official',
        family: `${partner}-${own}`,
        _family: {
          extension: [
            { url: OWN_NAME, valueString: own },
            { url: PARTNER_NAME, valueString: partner },
          ],
        },
        given: ['Ingrid'],
      },
    ],
    gender: 'female',
    birthDate,
    address: [
      {
        line: [`Dorpsstraat ${houseNumber}`],
        _line: [{ extension: [{ url: HOUSE_NUMBER, valueString: houseNumber }] }],
        city: 'Rotterdam',
        postalCode: postcode,
      },
    ],
  };
}

describe('search: Dutch parameters, $everything and re-indexing', function () {
  const env = useFhirServer();

  it('finds a patient by postcode + house number and by partner name + birth date + gender', async () => {
    const a = await env.client.create({
      resourceType: 'Patient',
      body: dutchPatient('Wit', 'Jong', '3015 CE', '230', '1970-03-04'),
    });
    const b = await env.client.create({
      resourceType: 'Patient',
      body: dutchPatient('Bakker', 'Wit', '3015 CE', '23', '1970-03-04'),
    });
    const search = (q: string) => env.client.request(`Patient?${q}`);
    expect(ids(await search('address-postalcode=3015&address-housenumber=230'))).to.deep.equal([
      `Patient/${a.id}`,
    ]);
    expect(ids(await search('address-postalcode=3015%20CE&address-housenumber=23'))).to.deep.equal([
      `Patient/${b.id}`,
    ]);
    // Partner name "Wit" is b's; "Wit" as own name is a's. Accents and case do not matter.
    expect(ids(await search('partner-name=wit&birthdate=1970-03-04&gender=female'))).to.deep.equal([
      `Patient/${b.id}`,
    ]);
    expect(ids(await search('own-name=WÍT'))).to.deep.equal([`Patient/${a.id}`]);
    expect(ids(await search('partner-name=jong&gender=male'))).to.deep.equal([]);
  });

  it('an update replaces the index rows and a delete removes them', async () => {
    const p = await env.client.create({
      resourceType: 'Patient',
      body: {
        resourceType: 'Patient',
        name: [{ family: 'Oudnaam' }],
        identifier: [{ system: BSN, value: '555' }],
      },
    });
    const found = async (q: string) => ids(await env.client.request(`Patient?${q}`));
    expect(await found('family=oudnaam')).to.deep.equal([`Patient/${p.id}`]);
    await env.client.update({
      resourceType: 'Patient',
      id: p.id,
      body: { resourceType: 'Patient', id: p.id, name: [{ family: 'Nieuwnaam' }] },
    });
    expect(await found('family=oudnaam')).to.deep.equal([]);
    expect(await found(`identifier=${BSN}|555`)).to.deep.equal([]);
    expect(await found('family=nieuwnaam')).to.deep.equal([`Patient/${p.id}`]);
    await env.client.delete({ resourceType: 'Patient', id: p.id });
    expect(await found('family=nieuwnaam')).to.deep.equal([]);
    expect(await found('family:missing=true&_id=' + p.id)).to.deep.equal([]);
  });

  it('Patient/$everything returns the compartment and what it refers to, paged, with _since and _type', async () => {
    const gp = await env.client.create({
      resourceType: 'Practitioner',
      body: { resourceType: 'Practitioner' },
    });
    const [p1, p2] = await Promise.all(
      ['111', '222'].map((v) =>
        env.client.create({
          resourceType: 'Patient',
          body: {
            resourceType: 'Patient',
            identifier: [{ system: BSN, value: v }],
            generalPractitioner: [{ reference: `Practitioner/${gp.id}` }],
          },
        }),
      ),
    );
    const mine: string[] = [`Patient/${p1.id}`];
    for (let i = 0; i < 4; i++) {
      const obs = await env.client.create({
        resourceType: 'Observation',
        body: {
          resourceType: 'Observation',
          status: 'final',
          code: { text: `m${i}` },
          subject: { reference: `Patient/${p1.id}` },
          performer: [{ reference: `Practitioner/${gp.id}` }],
        },
      });
      mine.push(`Observation/${obs.id}`);
    }
    const enc = await env.client.create({
      resourceType: 'Encounter',
      body: {
        resourceType: 'Encounter',
        status: 'finished',
        class: { code: 'AMB' },
        subject: { reference: `Patient/${p1.id}` },
      },
    });
    mine.push(`Encounter/${enc.id}`);
    await env.client.create({
      resourceType: 'Observation',
      body: {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'other' },
        subject: { reference: `Patient/${p2.id}` },
      },
    });

    const all = await env.client.request(`Patient/${p1.id}/$everything`);
    expect(all.type).to.equal('searchset');
    expect(ids(all, 'match')).to.deep.equal(mine.sort());
    expect(ids(all, 'include')).to.deep.equal([`Practitioner/${gp.id}`]);

    // Paged two at a time: every compartment member exactly once.
    const seen: string[] = [];
    let page = await env.client.request(`Patient/${p1.id}/$everything?_count=2`);
    for (let n = 0; page && n < 10; n++) {
      seen.push(...ids(page, 'match'));
      expect(page.link.find((l: any) => l.relation === 'self').url).to.contain('$everything');
      page = await env.client.nextPage({ bundle: page });
    }
    expect(seen.sort()).to.deep.equal(mine.sort());

    const obsOnly = await env.client.request(`Patient/${p1.id}/$everything?_type=Observation`);
    expect(ids(obsOnly, 'match').every((id) => id.startsWith('Observation/'))).to.equal(true);
    expect(ids(obsOnly, 'match')).to.have.length(4);
    const future = await env.client.request(`Patient/${p1.id}/$everything?_since=2999-01-01T00:00:00Z`);
    expect(ids(future)).to.deep.equal([]);

    expect((await failure(env.client.request('Patient/nobody/$everything'))).status).to.equal(404);
    expect((await failure(env.client.request(`Patient/${p1.id}/$everything?start=2020`))).status).to.equal(
      400,
    );
    expect(
      (await failure(env.client.request(`Patient/${p1.id}/$everything?_since=yesterday`))).status,
    ).to.equal(400);
    expect((await failure(env.client.request(`Observation/${enc.id}/$everything`))).status).to.equal(404);
  });
});

describe('search: a SearchParameter added later applies to stored resources after `npm run reindex`', function () {
  this.timeout(180_000);
  let dir: string;
  let first: TestServer | undefined;
  let second: TestServer | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zorgpoort-reindex-'));
  });
  after(async () => {
    await second?.stop();
    await first?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is unknown before, and finds the old resources after re-indexing', async () => {
    const pgliteDataDir = join(dir, 'pglite');
    first = await startTestServer({}, { pgliteDataDir });
    const client = await fhirClient(first);
    const nickname = (v: string) => ({
      resourceType: 'Patient',
      extension: [{ url: 'http://example.org/nickname', valueString: v }],
    });
    const pim = await client.create({ resourceType: 'Patient', body: nickname('Pim') });
    await client.create({ resourceType: 'Patient', body: nickname('Bas') });
    const before = await failure(client.request('Patient?nickname=pim'));
    expect(before.status).to.equal(400);
    expect(JSON.stringify(before.data)).to.include('nickname');
    await first.stop();

    const spFile = join(dir, 'nickname.json');
    writeFileSync(
      spFile,
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          {
            resource: {
              resourceType: 'SearchParameter',
              url: 'http://example.org/SearchParameter/nickname',
              code: 'nickname',
              base: ['Patient'],
              type: 'string',
              expression: "Patient.extension.where(url='http://example.org/nickname').value",
            },
          },
        ],
      }),
    );
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'server/cli/reindex.ts', 'Patient'], {
      env: {
        ...process.env,
        DATABASE_URL: first.database.databaseUrl ?? '',
        PGLITE_DATA_DIR: first.database.pgliteDataDir,
        SEARCH_PARAMETER_FILES: spFile,
      },
    });
    expect(stdout).to.match(/re-index done/);

    second = await startTestServer(
      {},
      { reuseDatabaseOf: first, config: { searchParameterFiles: [spFile] } },
    );
    const after = await (await fhirClient(second)).request('Patient?nickname=pim');
    expect(ids(after)).to.deep.equal([`Patient/${pim.id}`]);
  });
});
