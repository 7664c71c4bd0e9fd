import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { substitutePlaceholders } from '../../conformance/runner/placeholders.ts';
import { parseFhirXml } from '../../server/fhir/format/xml/index.ts';
import { FHIR_JSON, FHIR_XML, startTestServer, type TestServer } from '../support/harness.ts';

/**
 * The 14 transaction Bundles of the Nictiz LaboratoryResults 3.0 TestScripts (sendreceive
 * fixtures; see test/fixtures/SOURCES.md), POSTed as XML after their Touchstone date
 * placeholders are filled in. What a lab result is read for in the caregiver portal (seed 002:
 * reference range, low/high flags) must come back exactly as sent.
 *
 * R4 defines no `interpretation` search parameter for Observation (the server would ignore it
 * with a warning and return every Observation). It is added here the way a deployment adds one,
 * through SEARCH_PARAMETER_FILES, after the definition in the HL7 IG "Retrieval of Real World
 * Data for Clinical Research" (vulcan-rwd, SearchParameter/ObservationInterpretationSearchParameter).
 */

const DIR = new URL('../fixtures/nictiz/laboratory-results/', import.meta.url);
const FHIR_NS = 'http://hl7.org/fhir';
const SNOMED = 'http://snomed.info/sct';
const V3 = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const HIGH = [
  { system: SNOMED, code: '281302008' },
  { system: V3, code: 'H' },
];
const LOW = [
  { system: SNOMED, code: '281300000' },
  { system: V3, code: 'L' },
];

const INTERPRETATION_PARAMETER = {
  resourceType: 'Bundle',
  type: 'collection',
  entry: [
    {
      resource: {
        resourceType: 'SearchParameter',
        url: 'http://hl7.org/fhir/uv/vulcan-rwd/SearchParameter/ObservationInterpretationSearchParameter',
        name: 'Interpretation',
        status: 'active',
        description: 'Observations with a given interpretation (high, low, …)',
        code: 'interpretation',
        base: ['Observation'],
        type: 'token',
        expression: 'Observation.interpretation',
      },
    },
  ],
};

type Json = Record<string, any>;

const files = readdirSync(DIR)
  .filter((name) => name.endsWith('.xml'))
  .sort();

/** An Observation of a source Bundle and where the server put it. */
interface Sent {
  file: string;
  entry: number;
  source: Json;
  id: string;
}

/**
 * The `value` attributes of every `referenceRange/low|high/value`, straight from the XML text
 * (a generic XML parser, not the server's FHIR reader), in document order.
 */
function rangeValuesInXml(xml: string): string[] {
  const values: string[] = [];
  const path: string[] = [];
  const parser = new SaxesParser({ xmlns: true });
  parser.on('opentag', (tag) => {
    path.push(tag.uri === FHIR_NS ? tag.local : `{${tag.uri}}${tag.local}`);
    const [range, bound, value] = path.slice(-3);
    if (range === 'referenceRange' && (bound === 'low' || bound === 'high') && value === 'value') {
      values.push(tag.attributes.value!.value);
    }
  });
  parser.on('closetag', () => path.pop());
  parser.write(xml).close();
  return values;
}

/** The interpretation codings of an Observation as `system|code`, one array per CodeableConcept. */
const codings = (observation: Json): Array<Array<{ system: string; code: string }>> =>
  ((observation.interpretation ?? []) as Json[])
    .filter((concept) => concept.coding)
    .map((concept) => (concept.coding as Json[]).map(({ system, code }) => ({ system, code })));

describe('Nictiz LaboratoryResults 3.0 transaction Bundles in XML', function () {
  this.timeout(120_000);
  const today = new Date();
  let server: TestServer;
  let dir: string;
  const sent: Sent[] = [];
  /** The Observations as the server returns them, by id. */
  const stored = new Map<string, Json>();
  const rangeValues: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zorgpoort-lab-'));
    const file = join(dir, 'interpretation.json');
    writeFileSync(file, JSON.stringify(INTERPRETATION_PARAMETER));
    server = await startTestServer({}, { config: { searchParameterFiles: [file] } });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the 14 Bundles, with only date placeholders to fill in', () => {
    expect(files).to.have.length(14);
    for (const file of files) {
      const text = substitutePlaceholders(readFileSync(new URL(file, DIR), 'utf8'), today);
      expect(text, file).to.not.include('${');
    }
  });

  it('accepts each as an XML transaction: 200, every entry 2xx, in entry order', async () => {
    for (const file of files) {
      const xml = substitutePlaceholders(readFileSync(new URL(file, DIR), 'utf8'), today);
      const bundle = parseFhirXml(xml) as Json;
      expect(bundle.type, file).to.equal('transaction');
      rangeValues.push(...rangeValuesInXml(xml));

      const res = await server.fetch('', {
        method: 'POST',
        headers: { 'Content-Type': FHIR_XML, Accept: FHIR_JSON },
        body: xml,
      });
      const text = await res.text();
      expect(res.status, `${file}: ${text.slice(0, 1000)}`).to.equal(200);
      const response = JSON.parse(text) as Json;
      expect(response.type, file).to.equal('transaction-response');
      expect(response.entry, file).to.have.length(bundle.entry.length);
      (bundle.entry as Json[]).forEach((entry, i) => {
        const answer = response.entry[i].response as Json;
        expect(answer.status, `${file} entry ${i}`).to.match(/^2\d\d/);
        const type = entry.resource.resourceType as string;
        const location = /^(?:.*\/)?([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})\/_history\/[^/]+$/.exec(
          answer.location,
        );
        expect(location, `${file} entry ${i}: location ${answer.location}`).to.not.equal(null);
        expect(location![1], `${file} entry ${i}`).to.equal(type);
        if (type === 'Observation') sent.push({ file, entry: i, source: entry.resource, id: location![2]! });
      });
    }
    expect(sent).to.have.length(27);
  });

  it('reads every Observation back with its urn:uuid references resolved', async () => {
    for (const { file, entry, id } of sent) {
      const res = await server.fetch(`Observation/${id}`, { headers: { Accept: FHIR_JSON } });
      expect(res.status, `${file} entry ${entry}`).to.equal(200);
      const observation = (await res.json()) as Json;
      expect(JSON.stringify(observation), `${file} entry ${entry}`).to.not.include('urn:uuid:');
      expect(observation.subject.reference, `${file} entry ${entry}`).to.match(/^Patient\/[A-Za-z0-9\-.]+$/);
      stored.set(id, observation);
    }
    // The same 27, and nothing else, by search.
    const res = await server.fetch('Observation?_count=100&_total=accurate&_elements=id', {
      headers: { Accept: FHIR_JSON },
    });
    const found = (await res.json()) as Json;
    expect(found.total).to.equal(27);
    expect(found.entry.map((e: Json) => e.resource.id).sort()).to.deep.equal(sent.map((s) => s.id).sort());
  });

  it('keeps every referenceRange as sent: 23 of them, low and high intact', () => {
    let count = 0;
    const returnedValues: number[] = [];
    for (const { file, entry, id, source } of sent) {
      const observation = stored.get(id)!;
      // Through JSON: the parser keeps each decimal's written text beside it under a symbol, which a
      // deep comparison would count as a difference.
      expect(observation.referenceRange, `${file} entry ${entry}`).to.deep.equal(
        JSON.parse(JSON.stringify(source.referenceRange ?? null)) ?? undefined,
      );
      for (const range of (observation.referenceRange ?? []) as Json[]) {
        count++;
        expect(range.low, `${file} entry ${entry}`).to.be.an('object');
        for (const bound of [range.low, range.high]) if (bound) returnedValues.push(bound.value);
      }
    }
    expect(count).to.equal(23);
    // Against the XML text itself: 23 low and 18 high values, numerically equal (decimals are
    // JavaScript numbers in this server, so `5.0` comes back as 5; see README, known limits).
    expect(rangeValues).to.have.length(41);
    expect(returnedValues).to.deep.equal(rangeValues.map(Number));
  });

  it('keeps every interpretation as sent: 14 coded flags, 13 high and 1 low', () => {
    const flags: Array<Array<{ system: string; code: string }>> = [];
    for (const { file, entry, id, source } of sent) {
      const observation = stored.get(id)!;
      expect(observation.interpretation, `${file} entry ${entry}`).to.deep.equal(source.interpretation);
      flags.push(...codings(observation));
    }
    expect(flags).to.have.length(14);
    expect(flags.filter((f) => JSON.stringify(f) === JSON.stringify(HIGH))).to.have.length(13);
    expect(flags.filter((f) => JSON.stringify(f) === JSON.stringify(LOW))).to.have.length(1);
  });

  it('finds the 13 high results by Observation?interpretation=v3|H, and the low one by L', async () => {
    const expected = (code: string) =>
      sent
        .filter(({ id }) =>
          codings(stored.get(id)!).some((f) => f.some((c) => c.system === V3 && c.code === code)),
        )
        .map(({ id }) => id)
        .sort();
    for (const [code, count] of [
      ['H', 13],
      ['L', 1],
    ] as const) {
      const query = `interpretation=${encodeURIComponent(`${V3}|${code}`)}&_count=100&_total=accurate`;
      const res = await server.fetch(`Observation?${query}`, { headers: { Accept: FHIR_JSON } });
      expect(res.status).to.equal(200);
      const bundle = (await res.json()) as Json;
      // Applied, not ignored: an ignored parameter would come back as an outcome entry.
      expect(
        bundle.entry.filter((e: Json) => e.search?.mode === 'outcome'),
        code,
      ).to.deep.equal([]);
      expect(bundle.total, code).to.equal(count);
      const ids = ((bundle.entry ?? []) as Json[]).map((e) => e.resource.id as string).sort();
      expect(ids, code).to.have.length(count);
      expect(ids, code).to.deep.equal(expected(code));
    }
    // The SNOMED code of the same flag finds the same 13.
    const res = await server.fetch(
      `Observation?interpretation=${encodeURIComponent(`${SNOMED}|281302008`)}&_summary=count`,
      { headers: { Accept: FHIR_JSON } },
    );
    expect(((await res.json()) as Json).total).to.equal(13);
  });
});

describe('Observation?interpretation on a server with only the R4 and Dutch search parameters', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('is an unknown parameter: refused with 400 by default, reported when lenient', async () => {
    const query = `Observation?interpretation=${encodeURIComponent(`${V3}|H`)}`;
    const lenientHeaders = { Accept: FHIR_JSON, Prefer: 'handling=lenient' };
    const lenient = (await (await server.fetch(query, { headers: lenientHeaders })).json()) as Json;
    const outcome = lenient.entry.find((e: Json) => e.search?.mode === 'outcome');
    expect(JSON.stringify(outcome?.resource)).to.include('interpretation');
    const strict = await server.fetch(query, { headers: { Accept: FHIR_JSON } });
    expect(strict.status).to.equal(400);
    expect(await strict.text()).to.include('interpretation');
  });
});
