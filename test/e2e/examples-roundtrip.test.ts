import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { FHIR_JSON, FHIR_XML, jsonHeaders, startTestServer, type TestServer } from '../support/harness.ts';
import { differences } from '../support/differences.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';

/**
 * Every official R4 example through the real HTTP stack: create from JSON, read back as JSON,
 * read as XML, create a second copy from that XML and read it back as JSON. Apart from the
 * server-owned id, meta.versionId and meta.lastUpdated, both copies must equal the original.
 */

const DIR = new URL('../fixtures/r4/examples/', import.meta.url);
/**
 * Official examples that break the core specification (see test/fixtures/SOURCES.md and
 * test/unit/validation/examples.test.ts): the server must refuse them, pointing at the culprit.
 */
const KNOWN_INVALID: Record<string, { why: string; expression: string }> = {
  'DiagnosticReport-gingival-mass.json': {
    why: 'an NBSP in a string fails the FHIR string pattern',
    expression: 'DiagnosticReport.resultsInterpreter[0].display',
  },
  // Questionnaire.item.linkId is 1..1 in R4; this generated example has display items without one.
  'Questionnaire-qs1.json': {
    why: 'items without the required linkId',
    expression: 'Questionnaire.item[0].item[0].linkId',
  },
};
const CONCURRENCY = 8;
const CHUNKS = 8;

type Json = Record<string, unknown>;

const files = readdirSync(DIR)
  .filter((name) => name.endsWith('.json'))
  .sort();
const load = (name: string): Json => JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as Json;

/** The resource without what the server owns: id, meta.versionId, meta.lastUpdated (an emptied meta goes too). */
function comparable(resource: Json): Json {
  const { id: _id, meta, ...rest } = resource;
  // A Subscription's status and its maker's tags are the server's (server/fhir/subscriptions).
  if (rest.resourceType === 'Subscription' && rest.status === 'requested') rest.status = 'active';
  if (meta === undefined) return rest;
  const { versionId: _v, lastUpdated: _l, ...otherMeta } = meta as Json;
  const tag = ((otherMeta.tag ?? []) as Json[]).filter(
    (t) => !String(t.system).startsWith('https://zorgpoort.nl/fhir/CodeSystem/subscription-'),
  );
  if (tag.length) otherMeta.tag = tag;
  else delete otherMeta.tag;
  return Object.keys(otherMeta).length ? { ...rest, meta: otherMeta } : rest;
}

/** Runs `work` on every item with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

class StepFailure extends Error {}

describe('official R4 examples: JSON and XML round trip over HTTP', function () {
  this.timeout(180_000);
  let server: TestServer;

  /** The access log is read only by an auditor: a client whose scope names AuditEvent. */
  let auditor: string;
  const readerOf = (type: string): Record<string, string> =>
    type === 'AuditEvent' ? { authorization: auditor } : {};

  before(async () => {
    server = await startTestServer();
    const scope = 'system/AuditEvent.rs';
    auditor = `Bearer ${await backendToken(server, await registerBackendClient(server, { scope }), scope)}`;
  });
  after(() => server?.close());

  const fail = (step: string, detail: string): never => {
    throw new StepFailure(`${step}: ${detail}`);
  };

  async function expectStatus(res: Response, status: number, step: string): Promise<void> {
    if (res.status !== status) {
      const text = await res.text();
      fail(step, `status ${res.status} (expected ${status}): ${text.slice(0, 400)}`);
    }
  }

  async function createJson(resource: Json): Promise<Json> {
    const res = await server.fetch(String(resource.resourceType), {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify(resource),
    });
    await expectStatus(res, 201, 'POST JSON');
    return (await res.json()) as Json;
  }

  async function readJson(type: string, id: string, step: string): Promise<Json> {
    const res = await server.fetch(`${type}/${id}`, { headers: { Accept: FHIR_JSON, ...readerOf(type) } });
    await expectStatus(res, 200, step);
    return (await res.json()) as Json;
  }

  function compare(got: Json, original: Json, step: string): void {
    const diff = differences(comparable(got), comparable(original));
    if (diff.length) fail(step, diff.join('; '));
  }

  /** The whole round trip for one file; returns a failure description or undefined. */
  async function roundTrip(name: string): Promise<string | undefined> {
    const original = load(name);
    const type = String(original.resourceType);
    try {
      const created = await createJson(original);
      const id = created.id;
      if (typeof id !== 'string' || id === original.id)
        fail('POST JSON', `no new server-assigned id (${String(id)})`);
      if ((created.meta as Json | undefined)?.versionId !== '1')
        fail('POST JSON', 'meta.versionId is not "1"');
      compare(created, original, 'POST JSON response');
      compare(await readJson(type, id as string, 'GET JSON'), original, 'GET JSON');

      const xmlRes = await server.fetch(`${type}/${id as string}`, {
        headers: { Accept: FHIR_XML, ...readerOf(type) },
      });
      await expectStatus(xmlRes, 200, 'GET XML');
      if (!/^application\/fhir\+xml/.test(xmlRes.headers.get('content-type') ?? '')) {
        fail('GET XML', `Content-Type ${String(xmlRes.headers.get('content-type'))}`);
      }
      const xml = await xmlRes.text();
      if (!xml.startsWith('<?xml')) fail('GET XML', `not an XML document: ${xml.slice(0, 80)}`);

      const second = await server.fetch(type, {
        method: 'POST',
        headers: { 'Content-Type': FHIR_XML, Accept: FHIR_JSON },
        body: xml,
      });
      await expectStatus(second, 201, 'POST XML');
      const copy = (await second.json()) as Json;
      if (typeof copy.id !== 'string' || copy.id === id)
        fail('POST XML', `no new server-assigned id (${String(copy.id)})`);
      compare(
        await readJson(type, copy.id as string, 'GET JSON of the XML copy'),
        original,
        'GET JSON of the XML copy',
      );
      return undefined;
    } catch (err) {
      if (err instanceof StepFailure) return `${name}: ${err.message}`;
      return `${name}: ${(err as Error).stack ?? String(err)}`;
    }
  }

  it('finds all 704 examples, including the known-invalid ones', () => {
    expect(files).to.have.length(704);
    expect(files).to.include.members(Object.keys(KNOWN_INVALID));
  });

  for (const [name, { why, expression }] of Object.entries(KNOWN_INVALID)) {
    it(`rejects ${name} (${why}) with 400 at ${expression} and stores nothing`, async () => {
      const type = name.slice(0, name.indexOf('-'));
      const countHistory = async () => {
        const res = await server.fetch(`${type}/_history?_count=1000`, { headers: { Accept: FHIR_JSON } });
        expect(res.status).to.equal(200);
        return (((await res.json()) as Json).entry as unknown[] | undefined)?.length ?? 0;
      };
      const before = await countHistory();
      const res = await server.fetch(type, {
        method: 'POST',
        headers: jsonHeaders(),
        body: readFileSync(new URL(name, DIR)),
      });
      const outcome = (await res.json()) as {
        resourceType: string;
        issue: { severity: string; code: string; diagnostics?: string; expression?: string[] }[];
      };
      expect(res.status, JSON.stringify(outcome).slice(0, 1000)).to.equal(400);
      expect(outcome.resourceType).to.equal('OperationOutcome');
      const issue = outcome.issue.find((i) => i.expression?.includes(expression));
      expect(issue, JSON.stringify(outcome.issue)).to.not.equal(undefined);
      expect(issue!.severity).to.be.oneOf(['error', 'fatal']);
      expect(issue!.diagnostics).to.be.a('string').and.not.equal('');
      expect(await countHistory()).to.equal(before);
      const search = await server.fetch(`${type}?_total=accurate`, { headers: { Accept: FHIR_JSON } });
      expect(search.status).to.equal(200);
      expect(((await search.json()) as Json).total).to.equal(0);
    });
  }

  // No official example carries meta.tag, so this one adds every kind of client meta.
  it('keeps the client meta (profile, tag, security, source) and replaces versionId and lastUpdated', async () => {
    const meta = {
      versionId: '42',
      lastUpdated: '2001-01-01T00:00:00Z',
      source: 'urn:uuid:6f2b4a1c-0a4e-4a43-9c1e-0f2b7e9d3a10',
      profile: ['http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient'],
      security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }],
      tag: [{ system: 'http://example.org/tags', code: 'imported', display: 'Imported' }],
    };
    const original = { ...load('Patient-example.json'), meta };
    const check = (got: Json) => {
      const gotMeta = got.meta as Json;
      expect(gotMeta.source).to.equal(meta.source);
      expect(gotMeta.profile).to.deep.equal(meta.profile);
      expect(gotMeta.security).to.deep.equal(meta.security);
      expect(gotMeta.tag).to.deep.equal(meta.tag);
      expect(gotMeta.versionId).to.equal('1');
      expect(gotMeta.lastUpdated).to.not.equal(meta.lastUpdated);
      expect(Date.now() - Date.parse(gotMeta.lastUpdated as string)).to.be.within(0, 60_000);
      expect(comparable(got)).to.deep.equal(comparable(original));
    };
    const created = await createJson(original);
    check(await readJson('Patient', created.id as string, 'GET JSON'));
    const xml = await (
      await server.fetch(`Patient/${created.id as string}`, { headers: { Accept: FHIR_XML } })
    ).text();
    const copy = await server.fetch('Patient', {
      method: 'POST',
      headers: { 'Content-Type': FHIR_XML, Accept: FHIR_JSON },
      body: xml,
    });
    expect(copy.status).to.equal(201);
    check(await readJson('Patient', ((await copy.json()) as Json).id as string, 'GET JSON of the XML copy'));
  });

  const valid = files.filter((name) => !(name in KNOWN_INVALID));
  const size = Math.ceil(valid.length / CHUNKS);
  for (let start = 0; start < valid.length; start += size) {
    const chunk = valid.slice(start, start + size);
    it(`round-trips ${chunk[0]} .. ${chunk[chunk.length - 1]} (${chunk.length} examples)`, async () => {
      const failures: string[] = [];
      await pool(chunk, CONCURRENCY, async (name) => {
        const failure = await roundTrip(name);
        if (failure) failures.push(failure);
      });
      failures.sort();
      expect(failures, `${failures.length} of ${chunk.length} failed:\n${failures.join('\n')}`).to.deep.equal(
        [],
      );
    });
  }
});
