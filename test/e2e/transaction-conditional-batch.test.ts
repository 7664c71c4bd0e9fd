import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';

type Json = Record<string, any>;
const SYS = 'https://lab.example.nl/result';

/**
 * A transaction's conditional entries are matched together (the locks in one statement, one
 * search, each entry's criteria applied to the rows in memory) and its conditional updates
 * that create are written with its creates: the answers must be exactly those of one entry at
 * a time.
 */
describe('transactions: conditional entries matched together, conditional creates-by-update batched', function () {
  this.timeout(60_000);
  let server: TestServer;
  const obs = (code: string, value: number, extra: Json = {}) => ({
    resourceType: 'Observation',
    status: 'final',
    identifier: [{ system: SYS, value: code }],
    code: { coding: [{ system: 'http://loinc.org', code }] },
    valueQuantity: { value, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    ...extra,
  });
  const put = (code: string, value: number) => ({
    resource: obs(code, value),
    request: { method: 'PUT', url: `Observation?identifier=${SYS}|${code}` },
  });
  const transaction = (entry: Json[], authorization?: string) =>
    server.fetch('', {
      method: 'POST',
      headers: {
        'content-type': 'application/fhir+json',
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }),
    });

  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('updates what matches, creates what does not (201, history PUT), and answers in entry order', async () => {
    const first = await transaction([put('1000-1', 1), put('1000-2', 2)]);
    expect(first.status).to.equal(200);
    const created = (await first.json()) as Json;
    expect(created.entry.map((e: Json) => e.response.status)).to.deep.equal(['201 Created', '201 Created']);
    const idOf = (e: Json) => /Observation\/([^/]+)\/_history/.exec(e.response.location)![1]!;
    const [a, b] = created.entry.map(idOf);
    const second = (await (
      await transaction([
        put('1000-2', 2.5),
        put('1000-3', 3),
        {
          resource: obs('1000-4', 4),
          request: { method: 'POST', url: 'Observation', ifNoneExist: `identifier=${SYS}|1000-1` },
        },
        {
          resource: obs('1000-5', 5),
          request: { method: 'POST', url: 'Observation', ifNoneExist: `identifier=${SYS}|1000-5` },
        },
      ])
    ).json()) as Json;
    expect(second.entry.map((e: Json) => e.response.status)).to.deep.equal([
      '200 OK',
      '201 Created',
      '200 OK',
      '201 Created',
    ]);
    expect(second.entry[0].response.location).to.match(new RegExp(`Observation/${b}/_history/2$`));
    expect(second.entry[2].response.location).to.match(new RegExp(`Observation/${a}/_history/1$`));
    const updated = (await (await server.fetch(`Observation/${b}`)).json()) as Json;
    expect(updated.valueQuantity.value).to.equal(2.5);
    const newId = idOf(second.entry[1]);
    const history = (await (await server.fetch(`Observation/${newId}/_history`)).json()) as Json;
    expect(history.entry.map((e: Json) => e.request.method)).to.deep.equal(['PUT']);
    const all = (await (await server.fetch(`Observation?identifier=${SYS}|&_total=accurate`)).json()) as Json;
    expect(all.total, '1000-4 was not created: its conditional create matched 1000-1').to.equal(4);
  });

  it('criteria that match two resources fail the transaction with 412, naming the entry; nothing is written', async () => {
    const twice = { resource: obs('2000-1', 1), request: { method: 'POST', url: 'Observation' } };
    expect((await transaction([twice, { ...twice }])).status).to.equal(200);
    const res = await transaction([put('2000-9', 9), put('2000-1', 1)]);
    expect(res.status).to.equal(412);
    const outcome = (await res.json()) as Json;
    expect(JSON.stringify(outcome)).to.match(/entry\[1\]|entry 1/);
    expect(JSON.stringify(outcome)).to.include('match more than one Observation');
    const none = (await (
      await server.fetch(`Observation?identifier=${SYS}|2000-9&_total=accurate`)
    ).json()) as Json;
    expect(none.total).to.equal(0);
  });

  it('a conditional update that creates needs the scopes of an update and of a create', async () => {
    const withoutUpdate = await registerBackendClient(server, { scope: 'system/*.crs', trusted: true });
    const withoutCreate = await registerBackendClient(server, { scope: 'system/*.rus', trusted: true });
    for (const client of [withoutUpdate, withoutCreate]) {
      const token = `Bearer ${await backendToken(server, client)}`;
      const res = await transaction([put('3000-1', 1), put('3000-2', 2)], token);
      expect(res.status, await res.clone().text()).to.equal(403);
    }
    const none = (await (
      await server.fetch(`Observation?identifier=${SYS}|3000-1&_total=accurate`)
    ).json()) as Json;
    expect(none.total).to.equal(0);
  });

  it('criteria the in-memory twin cannot decide (a chain) are matched in the database: an update, not a duplicate', async () => {
    const patient = await server.fetch('Patient', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'pt-chain' }] }),
    });
    const pid = ((await patient.json()) as Json).id as string;
    const chained = (code: string, value: number) => ({
      resource: obs(code, value, { subject: { reference: `Patient/${pid}` } }),
      request: {
        method: 'PUT',
        url: `Observation?subject:Patient.identifier=${SYS}|pt-chain&code=http://loinc.org|${code}`,
      },
    });
    expect((await transaction([chained('4000-1', 1), chained('4000-2', 2)])).status).to.equal(200);
    const again = (await (
      await transaction([chained('4000-1', 1.5), chained('4000-2', 2.5)])
    ).json()) as Json;
    expect(again.entry.map((e: Json) => e.response.status)).to.deep.equal(['200 OK', '200 OK']);
    const found = (await (
      await server.fetch(`Observation?subject=Patient/${pid}&_total=accurate`)
    ).json()) as Json;
    expect(found.total).to.equal(2);
  });
});
