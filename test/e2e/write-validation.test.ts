import { expect } from 'chai';
import { FHIR_JSON, FHIR_XML, jsonHeaders, startTestServer, type TestServer } from '../support/harness.ts';

/**
 * Two gaps of the write path's validation, over real HTTP: impossible calendar dates were stored
 * (while a search for them was refused), and valid primitive extensions on canonical elements
 * (`_baseDefinition`, `meta._profile`) were refused because the official schema lacks them.
 */

type Json = Record<string, unknown>;
interface Outcome {
  resourceType: string;
  issue: { severity: string; code: string; diagnostics?: string; expression?: string[] }[];
}

const patient = (extra: Json = {}): Json => ({
  resourceType: 'Patient',
  name: [{ family: 'Jansen', given: ['Anna'] }],
  ...extra,
});
const note = { extension: [{ url: 'http://example.org/note', valueString: 'see the local copy' }] };
const absent = {
  extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }],
};

describe('writes over HTTP: impossible dates refused, extensions on canonicals kept', function () {
  this.timeout(60_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  const send = (path: string, method: string, body: unknown, headers = jsonHeaders()) =>
    server.fetch(path, { method, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

  async function created(res: Response): Promise<Json> {
    const text = await res.text();
    expect(res.status, text.slice(0, 1000)).to.equal(201);
    return JSON.parse(text) as Json;
  }

  /** A 400 OperationOutcome with an error issue at each of `expressions`. */
  async function refused(res: Response, ...expressions: string[]): Promise<Outcome> {
    const text = await res.text();
    expect(res.status, text.slice(0, 1000)).to.equal(400);
    const outcome = JSON.parse(text) as Outcome;
    expect(outcome.resourceType).to.equal('OperationOutcome');
    const located = outcome.issue.filter((i) => i.severity === 'error').flatMap((i) => i.expression ?? []);
    expect(located, text).to.include.members(expressions);
    return outcome;
  }

  async function historyCount(): Promise<number> {
    const res = await server.fetch('_history?_count=1000', { headers: { Accept: FHIR_JSON } });
    return (((await res.json()) as { entry?: unknown[] }).entry ?? []).length;
  }

  /** Runs `action` and asserts that it stored nothing. */
  async function storesNothing(action: () => Promise<void>): Promise<void> {
    const before = await historyCount();
    await action();
    expect(await historyCount(), 'something was stored').to.equal(before);
  }

  describe('impossible dates', () => {
    it('POST /Patient with birthDate 1980-02-30 or 1900-02-29: 400 at Patient.birthDate, nothing stored', async () => {
      await storesNothing(async () => {
        for (const birthDate of ['1980-02-30', '1900-02-29', '2023-02-29', '2021-04-31']) {
          const outcome = await refused(
            await send('Patient', 'POST', patient({ birthDate })),
            'Patient.birthDate',
          );
          expect(outcome.issue[0]?.diagnostics).to.contain(`"${birthDate}" is not a valid FHIR date`);
        }
      });
    });

    it('a real leap day is stored, and a search finds it; the impossible one is refused on both sides', async () => {
      const stored = await created(await send('Patient', 'POST', patient({ birthDate: '2000-02-29' })));
      const found = await server.fetch(`Patient?birthdate=2000-02-29&_id=${String(stored.id)}`, {
        headers: { Accept: FHIR_JSON },
      });
      expect(found.status).to.equal(200);
      expect(((await found.json()) as { entry?: unknown[] }).entry).to.have.length(1);
      const search = await server.fetch('Patient?birthdate=1980-02-30', { headers: { Accept: FHIR_JSON } });
      expect(search.status).to.equal(400);
    });

    it('every date-ish primitive, wherever it is: one issue per problem, each located', async () => {
      const body = patient({
        deceasedDateTime: '2021-02-29T10:00:00Z',
        meta: { lastUpdated: '2023-02-29T08:00:00Z' },
        extension: [{ url: 'http://example.org/when', valueDate: '2021-11-31' }],
        _birthDate: { extension: [{ url: 'http://example.org/t', valueTime: '24:00:00' }] },
        contact: [{ period: { start: '2020-01-01T10:00:00+15:00' } }],
        contained: [{ resourceType: 'Patient', id: 'mother', birthDate: '1955-06-31' }],
      });
      await storesNothing(async () => {
        const outcome = await refused(
          await send('Patient', 'POST', body),
          'Patient.deceasedDateTime',
          'Patient.meta.lastUpdated',
          'Patient.extension[0].valueDate',
          'Patient.birthDate.extension[0].valueTime',
          'Patient.contact[0].period.start',
          'Patient.contained[0].birthDate',
        );
        expect(outcome.issue).to.have.length(6);
      });
    });

    it('an update or a patch to an impossible date: 400, the stored version is unchanged', async () => {
      const stored = await created(await send('Patient', 'POST', patient({ birthDate: '1980-02-28' })));
      const path = `Patient/${String(stored.id)}`;
      await storesNothing(async () => {
        await refused(await send(path, 'PUT', { ...stored, birthDate: '1980-02-30' }), 'Patient.birthDate');
        const patch = [{ op: 'replace', path: '/birthDate', value: '1980-02-31' }];
        const headers = { 'Content-Type': 'application/json-patch+json', Accept: FHIR_JSON };
        await refused(await send(path, 'PATCH', patch, headers), 'Patient.birthDate');
      });
      const read = (await (await server.fetch(path, { headers: { Accept: FHIR_JSON } })).json()) as Json;
      expect(read.birthDate).to.equal('1980-02-28');
    });

    it('a transaction with an impossible date in its last entry: 400 pointing at it, nothing stored', async () => {
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: patient(), request: { method: 'POST', url: 'Patient' } },
          { resource: patient({ birthDate: '2022-02-29' }), request: { method: 'POST', url: 'Patient' } },
        ],
      };
      await storesNothing(async () => {
        const outcome = await refused(await send('', 'POST', bundle), 'Patient.birthDate');
        expect(JSON.stringify(outcome)).to.contain('Bundle.entry[1]');
      });
    });
  });

  describe('extensions on canonical elements (_x)', () => {
    const structureDefinition = (extra: Json): Json => ({
      resourceType: 'StructureDefinition',
      url: 'http://example.org/StructureDefinition/my-patient',
      name: 'MyPatient',
      status: 'draft',
      kind: 'resource',
      abstract: false,
      type: 'Patient',
      ...extra,
    });

    it('StructureDefinition._baseDefinition: 201, kept in JSON and in XML', async () => {
      const base = 'http://hl7.org/fhir/StructureDefinition/Patient';
      const stored = await created(
        await send(
          'StructureDefinition',
          'POST',
          structureDefinition({ baseDefinition: base, _baseDefinition: note }),
        ),
      );
      const path = `StructureDefinition/${String(stored.id)}`;
      const json = (await (await server.fetch(path, { headers: { Accept: FHIR_JSON } })).json()) as Json;
      expect(json.baseDefinition).to.equal(base);
      expect(json._baseDefinition).to.deep.equal(note);
      const xml = await (await server.fetch(path, { headers: { Accept: FHIR_XML } })).text();
      expect(xml).to.match(/<baseDefinition value="[^"]+">\s*<extension url="http:\/\/example.org\/note">/);
      const fromXml = await send('StructureDefinition', 'POST', xml, {
        'Content-Type': FHIR_XML,
        Accept: FHIR_JSON,
      });
      expect((await created(fromXml))._baseDefinition).to.deep.equal(note);
    });

    it('meta._profile and _instantiatesCanonical lists, and a required canonical given only as _measure: 201', async () => {
      const meta = { profile: ['http://example.org/StructureDefinition/a'], _profile: [note] };
      const withProfile = await created(await send('Patient', 'POST', patient({ meta })));
      expect((withProfile.meta as Json)._profile).to.deep.equal([note]);
      const carePlan = {
        resourceType: 'CarePlan',
        status: 'active',
        intent: 'plan',
        subject: { reference: `Patient/${String(withProfile.id)}` },
        _instantiatesCanonical: [absent],
      };
      await created(await send('CarePlan', 'POST', carePlan));
      const report = {
        resourceType: 'MeasureReport',
        status: 'complete',
        type: 'summary',
        period: { start: '2024-01-01' },
        _measure: absent,
      };
      await created(await send('MeasureReport', 'POST', report));
    });

    it('a companion of the wrong shape, or a required canonical missing altogether: 400', async () => {
      await storesNothing(async () => {
        const wrong = structureDefinition({ _baseDefinition: 'see extension' });
        await refused(await send('StructureDefinition', 'POST', wrong), 'StructureDefinition.baseDefinition');
        const list = patient({ meta: { _profile: note } });
        await refused(await send('Patient', 'POST', list), 'Patient.meta.profile');
        const report = { resourceType: 'MeasureReport', status: 'complete', type: 'summary', period: {} };
        await refused(await send('MeasureReport', 'POST', report), 'MeasureReport.measure');
      });
    });
  });
});
