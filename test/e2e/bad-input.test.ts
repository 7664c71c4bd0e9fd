import { expect } from 'chai';
import { FHIR_JSON, FHIR_XML, jsonHeaders, startTestServer, type TestServer } from '../support/harness.ts';

/**
 * Hostile and malformed requests over real HTTP. Each must get the right status and an
 * OperationOutcome that explains the problem without leaking internals (stack traces, SQL),
 * must store nothing, and must never be a 500.
 */

interface Issue {
  severity: string;
  code: string;
  diagnostics?: string;
  expression?: string[];
}
interface Outcome {
  resourceType: string;
  issue: Issue[];
}

type Json = Record<string, unknown>;

const patient = (extra: Json = {}): Json => ({
  resourceType: 'Patient',
  identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999911120' }],
  name: [{ family: 'Jansen', given: ['Anna'] }],
  ...extra,
});

/** Traces of internals that must never reach a client. */
const LEAKS: RegExp[] = [
  /\n\s+at \S/, // a stack frame
  /\.[cm]?[jt]s:\d+/, // a source location
  /node_modules/,
  /\b(SELECT|INSERT INTO|DELETE FROM|UPDATE \S+ SET)\b/, // SQL text
  /\b(syntax error at or near|relation "|violates \w+ constraint|knex|pglite)\b/i,
];

/** Every response seen, so that the last test can check that none was a 500. */
const seen: { request: string; status: number }[] = [];

function record(label: string, res: Response): Response {
  seen.push({ request: label, status: res.status });
  return res;
}

async function send(server: TestServer, path: string, init: RequestInit = {}): Promise<Response> {
  const res = await server.fetch(path, init);
  return record(`${init.method ?? 'GET'} /${path}`, res);
}

/** Asserts status and a safe OperationOutcome body with an error or fatal first issue. */
async function expectOutcome(
  res: Response,
  status: number | number[],
  expected: { expression?: string; code?: string; diagnostics?: RegExp } = {},
): Promise<Outcome> {
  const text = await res.text();
  expect(res.status, text.slice(0, 2000)).to.be.oneOf(Array.isArray(status) ? status : [status]);
  expect(res.headers.get('content-type')).to.match(/^application\/fhir\+json/);
  const outcome = JSON.parse(text) as Outcome;
  expect(outcome.resourceType).to.equal('OperationOutcome');
  expect(outcome.issue).to.be.an('array').with.length.above(0);
  const first = outcome.issue[0]!;
  expect(first.severity).to.be.oneOf(['error', 'fatal']);
  expect(first.diagnostics).to.be.a('string').and.not.equal('');
  for (const leak of LEAKS) expect(text, `response leaks internals (${leak})`).not.to.match(leak);
  if (expected.code) expect(outcome.issue.map((i) => i.code)).to.include(expected.code);
  if (expected.diagnostics) expect(first.diagnostics).to.match(expected.diagnostics);
  if (expected.expression) {
    expect(
      outcome.issue.flatMap((i) => i.expression ?? []),
      JSON.stringify(outcome.issue),
    ).to.include(expected.expression);
  }
  return outcome;
}

/** Number of versions in the system history: any write, of any type, changes it. */
async function historyCount(server: TestServer): Promise<number> {
  const res = await server.fetch('_history?_count=1000', { headers: { Accept: FHIR_JSON } });
  expect(res.status).to.equal(200);
  const bundle = (await res.json()) as { entry?: unknown[] };
  const count = bundle.entry?.length ?? 0;
  expect(count, 'history is too long for this check').to.be.below(1000);
  return count;
}

/** Runs `action` and asserts that the database holds exactly what it held before. */
async function storesNothing(server: TestServer, action: () => Promise<void>): Promise<void> {
  const before = await historyCount(server);
  await action();
  expect(await historyCount(server), 'something was stored').to.equal(before);
}

/** POST with Accept JSON; `contentType: null` sends no Content-Type at all. */
const post = (server: TestServer, path: string, body: BodyInit, contentType: string | null = FHIR_JSON) =>
  send(server, path, {
    method: 'POST',
    headers: { Accept: FHIR_JSON, ...(contentType ? { 'Content-Type': contentType } : {}) },
    body,
  });

function nestedArrays(depth: number): string {
  return '['.repeat(depth) + '"x"' + ']'.repeat(depth);
}

function nestedXmlExtensions(depth: number): string {
  const open = '<extension url="http://example.org/deep">'.repeat(depth);
  const close = '</extension>'.repeat(depth);
  return `<Patient xmlns="http://hl7.org/fhir">${open}<valueString value="x"/>${close}</Patient>`;
}

describe('bad input over HTTP: right status, an OperationOutcome, nothing stored, never a 500', function () {
  this.timeout(60_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    // Something to compare against: history must not be empty for "nothing stored" to mean much.
    const res = await post(server, 'Patient', JSON.stringify(patient()));
    expect(res.status).to.equal(201);
  });
  after(() => server?.close());

  describe('malformed bodies', () => {
    it('malformed JSON: 400', async () => {
      await storesNothing(server, async () => {
        const res = await post(server, 'Patient', '{"resourceType": "Patient", "name": [');
        await expectOutcome(res, 400, { diagnostics: /JSON/ });
      });
    });

    it('invalid UTF-8 bytes: 400', async () => {
      const bytes = Buffer.concat([
        Buffer.from('{"resourceType":"Patient","name":[{"family":"'),
        Buffer.from([0xc3, 0x28, 0xff, 0xfe]), // a broken two-byte sequence and bytes never valid in UTF-8
        Buffer.from('"}]}'),
      ]);
      await storesNothing(server, async () => {
        await expectOutcome(await post(server, 'Patient', bytes), 400, { diagnostics: /UTF-8/ });
      });
    });

    it('duplicate JSON keys: 400', async () => {
      await storesNothing(server, async () => {
        const body = '{"resourceType":"Patient","gender":"male","birthDate":"1980-01-01","gender":"female"}';
        await expectOutcome(await post(server, 'Patient', body), 400, { diagnostics: /gender/ });
        const nested = '{"resourceType":"Patient","name":[{"family":"A","given":["B"],"family":"C"}]}';
        await expectOutcome(await post(server, 'Patient', nested), 400, { diagnostics: /family/ });
      });
    });

    it('a body that is not a JSON object (array, null, string, empty): 400', async () => {
      await storesNothing(server, async () => {
        for (const body of ['[]', 'null', '"Patient"', '42']) {
          await expectOutcome(await post(server, 'Patient', body), 400);
        }
        await expectOutcome(await post(server, 'Patient', ''), 400);
      });
    });

    it('JSON nested too deeply (200 arrays in an extension value): 400', async () => {
      const body =
        '{"resourceType":"Patient","extension":[{"url":"http://example.org/deep","valueString":' +
        `${nestedArrays(200)}}]}`;
      await storesNothing(server, async () => {
        await expectOutcome(await post(server, 'Patient', body), 400, { diagnostics: /deep|depth|nest/i });
      });
    });

    it('XML with a DOCTYPE (billion laughs): 400, entities never expanded', async () => {
      const entities = ['<!ENTITY lol0 "lol">'];
      for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
      const xml =
        `<?xml version="1.0"?>\n<!DOCTYPE Patient [\n${entities.join('\n')}\n]>\n` +
        '<Patient xmlns="http://hl7.org/fhir"><name><family value="&lol9;"/></name></Patient>';
      await storesNothing(server, async () => {
        const res = await post(server, 'Patient', xml, FHIR_XML);
        const outcome = await expectOutcome(res, 400, { diagnostics: /DOCTYPE/ });
        expect(JSON.stringify(outcome)).not.to.contain('lollol');
        expect(JSON.stringify(outcome).length).to.be.below(2000);
      });
    });

    it('XML with an external entity (XXE): 400, the file is never read', async () => {
      const xml =
        '<?xml version="1.0"?>\n<!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' +
        '<Patient xmlns="http://hl7.org/fhir"><name><family value="&xxe;"/></name></Patient>';
      await storesNothing(server, async () => {
        const outcome = await expectOutcome(await post(server, 'Patient', xml, FHIR_XML), 400);
        expect(JSON.stringify(outcome)).not.to.match(/root:|\/bin\//);
      });
    });

    it('XML nested too deeply (150 extensions): 400', async () => {
      await storesNothing(server, async () => {
        const res = await post(server, 'Patient', nestedXmlExtensions(150), FHIR_XML);
        await expectOutcome(res, 400, { diagnostics: /depth/i });
      });
    });

    it('malformed XML and XML of an unknown resource type: 400', async () => {
      await storesNothing(server, async () => {
        await expectOutcome(
          await post(server, 'Patient', '<Patient xmlns="http://hl7.org/fhir"><name>', FHIR_XML),
          400,
        );
        await expectOutcome(
          await post(server, 'Patient', '<Foo xmlns="http://hl7.org/fhir"/>', FHIR_XML),
          400,
          {
            diagnostics: /Foo/,
          },
        );
      });
    });

    it('unsupported Content-Type: 415', async () => {
      await storesNothing(server, async () => {
        const json = JSON.stringify(patient());
        await expectOutcome(await post(server, 'Patient', json, 'text/plain'), 415, {
          code: 'not-supported',
        });
        await expectOutcome(await post(server, 'Patient', json, 'application/x-www-form-urlencoded'), 415);
        // No Content-Type at all (a byte body gets none from fetch).
        await expectOutcome(await post(server, 'Patient', Buffer.from(json), null), 415);
      });
    });
  });

  describe('resource type and id', () => {
    it('resource type in the URL differs from the one in the body: 400 (POST and PUT)', async () => {
      await storesNothing(server, async () => {
        const obs = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
        await expectOutcome(await post(server, 'Patient', JSON.stringify(obs)), 400, {
          diagnostics: /Observation/,
        });
        const put = await send(server, 'Patient/type-mismatch', {
          method: 'PUT',
          headers: jsonHeaders(),
          body: JSON.stringify({ ...obs, id: 'type-mismatch' }),
        });
        await expectOutcome(put, 400);
        expect((await send(server, 'Observation/type-mismatch')).status).to.equal(404);
      });
    });

    it('PUT with an id in the body different from the URL: 400, neither id is created', async () => {
      await storesNothing(server, async () => {
        const res = await send(server, 'Patient/url-id', {
          method: 'PUT',
          headers: jsonHeaders(),
          body: JSON.stringify(patient({ id: 'body-id' })),
        });
        await expectOutcome(res, 400, { diagnostics: /body-id/ });
      });
      expect((await send(server, 'Patient/url-id')).status).to.equal(404);
      expect((await send(server, 'Patient/body-id')).status).to.equal(404);
    });

    it('PUT without an id in the body: 400', async () => {
      await storesNothing(server, async () => {
        const res = await send(server, 'Patient/no-body-id', {
          method: 'PUT',
          headers: jsonHeaders(),
          body: JSON.stringify(patient()),
        });
        await expectOutcome(res, 400);
      });
      expect((await send(server, 'Patient/no-body-id')).status).to.equal(404);
    });

    it('unknown resource type in the URL: 404 (read, create, search, history)', async () => {
      await storesNothing(server, async () => {
        await expectOutcome(await send(server, 'Foo/123'), 404, { diagnostics: /Foo/ });
        await expectOutcome(await post(server, 'Foo', JSON.stringify({ resourceType: 'Foo' })), 404, {
          diagnostics: /Foo/,
        });
        await expectOutcome(await send(server, 'Foo'), 404);
        await expectOutcome(await send(server, 'Foo/_history'), 404);
        const put = await send(server, 'Foo/1', {
          method: 'PUT',
          headers: jsonHeaders(),
          body: JSON.stringify({ resourceType: 'Foo', id: '1' }),
        });
        await expectOutcome(put, 404);
      });
    });

    it('unknown resource type in the body: 400', async () => {
      await storesNothing(server, async () => {
        await expectOutcome(await post(server, 'Patient', JSON.stringify({ resourceType: 'Foo' })), 400, {
          diagnostics: /Foo/,
        });
        await expectOutcome(await post(server, 'Patient', JSON.stringify({ name: [{ family: 'X' }] })), 400);
        // A contained resource of an unknown type.
        const contained = patient({ contained: [{ resourceType: 'Foo', id: 'c1' }] });
        await expectOutcome(await post(server, 'Patient', JSON.stringify(contained)), 400);
      });
    });

    it('invalid id in the URL (65 characters, or a "!"): 400 for read, update and delete', async () => {
      const long = 'a'.repeat(65);
      await storesNothing(server, async () => {
        await expectOutcome(await send(server, `Patient/${long}`), 400, {
          diagnostics: /not a valid resource id/,
        });
        await expectOutcome(await send(server, 'Patient/bad!id'), 400);
        for (const id of [long, 'bad!id']) {
          const put = await send(server, `Patient/${id}`, {
            method: 'PUT',
            headers: jsonHeaders(),
            body: JSON.stringify(patient({ id })),
          });
          await expectOutcome(put, 400);
          await expectOutcome(await send(server, `Patient/${id}`, { method: 'DELETE' }), 400);
        }
        // 64 characters is still a valid id (it just does not exist).
        expect((await send(server, `Patient/${'a'.repeat(64)}`)).status).to.equal(404);
      });
    });
  });

  describe('validation', () => {
    it('schema-invalid resources: 400 with the element in expression', async () => {
      await storesNothing(server, async () => {
        const badDate = await post(server, 'Patient', JSON.stringify(patient({ birthDate: 'not-a-date' })));
        await expectOutcome(badDate, 400, { expression: 'Patient.birthDate' });
        const unknown = await post(server, 'Patient', JSON.stringify(patient({ favouriteColour: 'blue' })));
        await expectOutcome(unknown, 400, { expression: 'Patient.favouriteColour' });
        const badCode = await post(server, 'Patient', JSON.stringify(patient({ gender: 42 })));
        await expectOutcome(badCode, 400, { expression: 'Patient.gender' });
      });
    });

    it('schema-invalid resource in an update: 400, the stored version is unchanged', async () => {
      const created = (await (await post(server, 'Patient', JSON.stringify(patient()))).json()) as Json;
      await storesNothing(server, async () => {
        const res = await send(server, `Patient/${String(created.id)}`, {
          method: 'PUT',
          headers: jsonHeaders(),
          body: JSON.stringify({ ...created, birthDate: '1980-13-45' }),
        });
        await expectOutcome(res, 400, { expression: 'Patient.birthDate' });
      });
      const read = (await (await send(server, `Patient/${String(created.id)}`)).json()) as Json;
      expect(read).to.deep.equal(created);
    });
  });

  // While these bugs stand, the requests store junk that breaks later requests (see the search
  // test below), so they run against a server of their own.
  describe('validation gaps: accepted, then stored as something else or unservable as XML', () => {
    const obs = (extra: Json) => ({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      ...extra,
    });
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server?.close());

    it('a decimal that overflows a double (1e400): 400, not stored as null', async () => {
      await storesNothing(server, async () => {
        const body = JSON.stringify(obs({ valueQuantity: { value: 1 } })).replace(
          '"value":1',
          '"value":1e400',
        );
        await expectOutcome(await post(server, 'Observation', body), 400);
      });
    });

    it('an integer outside the 32-bit range: 400', async () => {
      await storesNothing(server, async () => {
        for (const value of ['2147483648', '-2147483649', '12345678901234567890']) {
          const body = JSON.stringify(obs({ valueInteger: 0 })).replace(
            '"valueInteger":0',
            `"valueInteger":${value}`,
          );
          await expectOutcome(await post(server, 'Observation', body), 400, {
            expression: 'Observation.valueInteger',
          });
        }
      });
    });

    it('strings with control characters or lone surrogates: 400 (the XML format cannot carry them)', async () => {
      await storesNothing(server, async () => {
        for (const family of ['a\\u0000b', 'a\\u0001b', 'a\\u001bb', 'a\\ud800b']) {
          const body = `{"resourceType":"Patient","name":[{"family":"${family}"}]}`;
          await expectOutcome(await post(server, 'Patient', body), 400, {
            expression: 'Patient.name[0].family',
          });
        }
      });
    });

    it('one resource with \\u0000 or a lone surrogate does not break identifier searches (no 500)', async () => {
      const own = await startTestServer();
      try {
        for (const family of ['a\\u0000b', 'a\\udc00b']) {
          const res = await send(own, 'Patient', {
            method: 'POST',
            headers: jsonHeaders(),
            body: `{"resourceType":"Patient","name":[{"family":"${family}"}]}`,
          });
          expect(res.status).to.be.below(500);
        }
        const search = await send(own, 'Patient?identifier=http://example.org|1');
        expect(search.status, await search.text()).to.equal(200);
        const conditional = await send(own, 'Patient', {
          method: 'POST',
          headers: jsonHeaders({ 'If-None-Exist': 'identifier=http://example.org|1' }),
          body: JSON.stringify(patient()),
        });
        expect(conditional.status, await conditional.text()).to.equal(201);
      } finally {
        await own.close();
      }
    });

    it('a narrative div that is not well-formed XHTML in the XHTML namespace: 400', async () => {
      await storesNothing(server, async () => {
        for (const div of [
          '<div><<<',
          '<div>no namespace</div>',
          '<div xmlns="http://www.w3.org/1999/xhtml">a</div></text><active value="true"/><text><div>b</div>',
        ]) {
          const body = JSON.stringify(patient({ text: { status: 'generated', div } }));
          await expectOutcome(await post(server, 'Patient', body), 400, { expression: 'Patient.text.div' });
        }
      });
    });
  });

  describe('operations', () => {
    it('$validate with a null body or a malformed Parameters: 400, not 500', async () => {
      await storesNothing(server, async () => {
        await expectOutcome(await post(server, 'Patient/$validate', 'null'), 400);
        const params = { resourceType: 'Parameters', parameter: 5 };
        await expectOutcome(await post(server, 'Patient/$validate', JSON.stringify(params)), 400);
      });
    });
  });

  describe('methods and URLs', () => {
    it('POST on an instance: 405 with an Allow header', async () => {
      await storesNothing(server, async () => {
        const res = await post(server, 'Patient/123', JSON.stringify(patient({ id: '123' })));
        const allow = res.headers.get('allow');
        await expectOutcome(res, 405);
        expect(allow, 'Allow header').to.be.a('string');
        const methods = allow!.split(',').map((m) => m.trim());
        expect(methods).to.include.members(['GET', 'PUT', 'DELETE']);
        expect(methods).not.to.include('POST');
      });
    });

    it('DELETE /metadata: 405 with Allow: GET', async () => {
      const res = await send(server, 'metadata', { method: 'DELETE' });
      const allow = res.headers.get('allow');
      await expectOutcome(res, 405);
      expect(allow?.split(',').map((m) => m.trim())).to.deep.equal(['GET']);
    });

    it('an unknown HTTP method: 405, not 500', async () => {
      const res = await send(server, 'Patient', { method: 'PROPFIND' });
      await expectOutcome(res, 405);
    });
  });

  describe('parameters and headers', () => {
    it('bad _count on history (-1, abc, 1.5): 400 at system, type and instance level', async () => {
      const created = (await (await post(server, 'Patient', JSON.stringify(patient()))).json()) as Json;
      for (const base of ['_history', 'Patient/_history', `Patient/${String(created.id)}/_history`]) {
        for (const count of ['-1', 'abc', '1.5']) {
          await expectOutcome(await send(server, `${base}?_count=${count}`), 400, { diagnostics: /_count/ });
        }
      }
    });

    it('bad _since on history: 400', async () => {
      for (const since of ['yesterday', '2024-13-01', '2024-01-01T25:00:00Z', '']) {
        await expectOutcome(await send(server, `_history?_since=${encodeURIComponent(since)}`), 400, {
          diagnostics: /_since/,
        });
      }
      await expectOutcome(await send(server, 'Patient/_history?_since=not-a-date'), 400);
    });

    it('malformed If-Match on update and delete: 400, nothing changes', async () => {
      const created = (await (await post(server, 'Patient', JSON.stringify(patient()))).json()) as Json;
      const path = `Patient/${String(created.id)}`;
      await storesNothing(server, async () => {
        for (const ifMatch of ['abc', 'W/"abc"', '"1", "2"', 'W/"-1"', '']) {
          const put = await send(server, path, {
            method: 'PUT',
            headers: jsonHeaders({ 'If-Match': ifMatch }),
            body: JSON.stringify({ ...created, gender: 'female' }),
          });
          await expectOutcome(put, 400, { diagnostics: /ETag|If-Match/ });
        }
        const del = await send(server, path, { method: 'DELETE', headers: { 'If-Match': 'abc' } });
        await expectOutcome(del, 400);
      });
      const read = (await (await send(server, path)).json()) as Json;
      expect(read).to.deep.equal(created);
    });

    it('If-Match with unbalanced quotes (W/"1, "1, 1"): 400, nothing changes', async () => {
      const created = (await (await post(server, 'Patient', JSON.stringify(patient()))).json()) as Json;
      const path = `Patient/${String(created.id)}`;
      await storesNothing(server, async () => {
        for (const ifMatch of ['W/"1', '"1', '1"', 'W/1']) {
          const put = await send(server, path, {
            method: 'PUT',
            headers: jsonHeaders({ 'If-Match': ifMatch }),
            body: JSON.stringify({ ...created, gender: 'female' }),
          });
          await expectOutcome(put, 400, { diagnostics: /ETag|If-Match/ });
        }
      });
    });

    it('impossible dates in _since (2024-02-30, year 0000): 400', async () => {
      for (const since of ['0000-01-01', '2024-02-30', '2023-02-29T10:00:00Z']) {
        await expectOutcome(await send(server, `_history?_since=${since}`), 400, { diagnostics: /_since/ });
      }
    });

    it('a _cursor beyond the 64-bit range: 400, not 500', async () => {
      await expectOutcome(await send(server, '_history?_cursor=9999999999999999999'), 400, {
        diagnostics: /_cursor/,
      });
      await expectOutcome(await send(server, 'Patient/_history?_cursor=9223372036854775808'), 400);
    });

    it('echoes the client X-Request-Id on an error response', async () => {
      const res = await send(server, 'Patient/bad!id', { headers: { 'X-Request-Id': 'client-req-42' } });
      expect(res.headers.get('x-request-id')).to.equal('client-req-42');
      await expectOutcome(res, 400);
      const malformed = await send(server, 'Patient', {
        method: 'POST',
        headers: jsonHeaders({ 'X-Request-Id': 'client-req-43' }),
        body: '{',
      });
      expect(malformed.headers.get('x-request-id')).to.equal('client-req-43');
      await expectOutcome(malformed, 400);
    });
  });

  describe('Bundles posted to the base', () => {
    const entry = (resource: Json, fullUrl?: string) => ({
      ...(fullUrl ? { fullUrl } : {}),
      resource,
      request: { method: 'POST', url: String(resource.resourceType) },
    });

    for (const type of ['collection', 'document', 'searchset', 'history', 'transaction-response']) {
      it(`a Bundle of type ${type}: 400`, async () => {
        await storesNothing(server, async () => {
          const bundle = { resourceType: 'Bundle', type, entry: [entry(patient())] };
          await expectOutcome(await post(server, '', JSON.stringify(bundle)), 400, {
            diagnostics: /batch|transaction/,
          });
        });
      });
    }

    it('a resource that is not a Bundle: 400', async () => {
      await storesNothing(server, async () => {
        await expectOutcome(await post(server, '', JSON.stringify(patient())), 400);
      });
    });

    it('a transaction whose last entry is invalid: 400 pointing at it, and nothing from earlier entries exists', async () => {
      const marker = { system: 'http://example.org/tx-test', value: 'last-entry-invalid' };
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          entry(patient({ identifier: [marker] }), 'urn:uuid:0d8f1c1e-1111-4b8e-9a55-000000000001'),
          entry({
            resourceType: 'Observation',
            identifier: [marker],
            status: 'final',
            code: { text: 'weight' },
            subject: { reference: 'urn:uuid:0d8f1c1e-1111-4b8e-9a55-000000000001' },
          }),
          {
            resource: patient({ id: 'tx-put-earlier', identifier: [marker] }),
            request: { method: 'PUT', url: 'Patient/tx-put-earlier' },
          },
          entry(patient({ identifier: [marker], birthDate: 'not-a-date' })),
        ],
      };
      await storesNothing(server, async () => {
        const res = await post(server, '', JSON.stringify(bundle));
        const outcome = await expectOutcome(res, 400, { expression: 'Patient.birthDate' });
        expect(JSON.stringify(outcome)).to.contain('Bundle.entry[3]');
      });
      const query = `identifier=${encodeURIComponent(`${marker.system}|${marker.value}`)}`;
      for (const type of ['Patient', 'Observation']) {
        const search = await send(server, `${type}?${query}&_total=accurate`);
        expect(search.status).to.equal(200);
        expect(((await search.json()) as Json).total).to.equal(0);
      }
      expect((await send(server, 'Patient/tx-put-earlier')).status).to.equal(404);
    });

    it('a transaction whose last PUT is invalid after an earlier PUT was written: nothing stays', async () => {
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: patient({ id: 'tx-put-a' }), request: { method: 'PUT', url: 'Patient/tx-put-a' } },
          {
            resource: patient({ id: 'tx-put-b', gender: 'nonsense' }),
            request: { method: 'PUT', url: 'Patient/tx-put-b' },
          },
        ],
      };
      await storesNothing(server, async () => {
        const outcome = await expectOutcome(await post(server, '', JSON.stringify(bundle)), 400, {
          expression: 'Patient.gender',
        });
        expect(JSON.stringify(outcome)).to.contain('Bundle.entry[1]');
      });
      expect((await send(server, 'Patient/tx-put-a')).status).to.equal(404);
      expect((await send(server, 'Patient/tx-put-b')).status).to.equal(404);
    });

    // 404 (like POST /Foo) and 400 (an invalid Bundle) are both reasonable answers here.
    it('a transaction entry of an unknown resource type: 400 or 404, nothing stored', async () => {
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          entry(patient()),
          { resource: { resourceType: 'Foo' }, request: { method: 'POST', url: 'Foo' } },
        ],
      };
      await storesNothing(server, async () => {
        const res = await post(server, '', JSON.stringify(bundle));
        const outcome = await expectOutcome(res, [400, 404], { diagnostics: /Foo/ });
        expect(JSON.stringify(outcome)).to.contain('Bundle.entry[1]');
      });
    });
  });

  describe('Bundle entries: the same rules as the plain interactions', () => {
    it('transaction PUT entries without an id, or with another id than the URL: 400, nothing stored', async () => {
      const put = (resource: Json, url: string) => ({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource, request: { method: 'PUT', url } }],
      });
      await storesNothing(server, async () => {
        await expectOutcome(
          await post(server, '', JSON.stringify(put(patient(), 'Patient/tx-no-body-id'))),
          400,
        );
        const mismatch = put(patient({ id: 'tx-body-id' }), 'Patient/tx-url-id');
        await expectOutcome(await post(server, '', JSON.stringify(mismatch)), 400);
      });
      expect((await send(server, 'Patient/tx-no-body-id')).status).to.equal(404);
      expect((await send(server, 'Patient/tx-url-id')).status).to.equal(404);
    });

    it('a Binary JSON Patch entry whose data is not JSON: 400, not 500 (transaction and batch)', async () => {
      const created = (await (await post(server, 'Patient', JSON.stringify(patient()))).json()) as Json;
      const patchEntry = {
        resource: {
          resourceType: 'Binary',
          contentType: 'application/json-patch+json',
          data: Buffer.from('[{"op": "replace", ').toString('base64'),
        },
        request: { method: 'PATCH', url: `Patient/${String(created.id)}` },
      };
      await storesNothing(server, async () => {
        const tx = { resourceType: 'Bundle', type: 'transaction', entry: [patchEntry] };
        await expectOutcome(await post(server, '', JSON.stringify(tx)), 400);
        const batch = await post(server, '', JSON.stringify({ ...tx, type: 'batch' }));
        expect(batch.status).to.equal(200);
        const response = (await batch.json()) as { entry: { response: { status: string } }[] };
        expect(response.entry[0]!.response.status).to.match(/^400\b/);
      });
    });
  });

  describe('limits', () => {
    let small: TestServer;
    before(async () => {
      small = await startTestServer({ maxBodyBytes: 1000, maxBundleEntries: 5 });
    });
    after(() => small?.close());

    const bigPatient = () => JSON.stringify(patient({ name: [{ family: 'x'.repeat(2000) }] }));

    it('a body over maxBodyBytes with Content-Length: 413', async () => {
      await storesNothing(small, async () => {
        const res = await post(small, 'Patient', bigPatient());
        await expectOutcome(res, 413, { code: 'too-costly' });
      });
      // The server still answers on new requests.
      expect((await send(small, 'metadata')).status).to.equal(200);
    });

    it('a chunked body over maxBodyBytes (no Content-Length): 413', async () => {
      const text = bigPatient();
      const encoder = new TextEncoder();
      await storesNothing(small, async () => {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < text.length; i += 300)
              controller.enqueue(encoder.encode(text.slice(i, i + 300)));
            controller.close();
          },
        });
        const res = await send(small, 'Patient', {
          method: 'POST',
          headers: jsonHeaders(),
          body,
          duplex: 'half',
        } as RequestInit);
        await expectOutcome(res, 413, { code: 'too-costly' });
      });
      expect((await send(small, 'metadata')).status).to.equal(200);
    });

    it('a body just under maxBodyBytes is accepted (the limit is not off by much)', async () => {
      const body = JSON.stringify(patient());
      expect(Buffer.byteLength(body)).to.be.below(1000);
      expect((await post(small, 'Patient', body)).status).to.equal(201);
    });

    it('a transaction with more entries than maxBundleEntries (6 > 5): 413', async () => {
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: Array.from({ length: 6 }, () => ({
          resource: { resourceType: 'Basic', code: { text: 'x' } },
          request: { method: 'POST', url: 'Basic' },
        })),
      };
      const body = JSON.stringify(bundle);
      expect(Buffer.byteLength(body)).to.be.below(1000);
      await storesNothing(small, async () => {
        await expectOutcome(await post(small, '', body), 413, { code: 'too-costly' });
        await expectOutcome(await post(small, '', JSON.stringify({ ...bundle, type: 'batch' })), 413);
      });
    });
  });

  // Nested suites run after the top-level tests, so this one comes last.
  describe('afterwards', () => {
    it('none of the requests above was answered with a 500', () => {
      expect(seen.length).to.be.above(100);
      expect(seen.filter((s) => s.status >= 500)).to.deep.equal([]);
    });
  });
});
