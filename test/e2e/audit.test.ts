import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { withAuditRefused } from '../support/auditor.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { backendToken, backendTokenResponse, registerBackendClient } from '../support/smart-backend.ts';

type Json = Record<string, any>;

const ANNA = 'Bearer audit-token-of-anna';
const BRAM = 'Bearer audit-token-of-bram';

/**
 * Every interaction leaves an AuditEvent, durable before the answer leaves; a patient reads the
 * ones about them; nobody else but an auditor reads any; nobody changes or deletes one; when the
 * log cannot be written, the request fails and discloses nothing.
 */
describe('audit: every disclosure is logged where the patient can see it', function () {
  this.timeout(120_000);
  let server: TestServer;
  let dir: string;
  let auditor: string;

  const call = async (path: string, token?: string, init: RequestInit = {}) => {
    const headers: Record<string, string> = {
      accept: 'application/fhir+json',
      ...(init.body ? { 'content-type': 'application/fhir+json' } : {}),
      ...(init.headers as Record<string, string>),
    };
    if (token) headers.authorization = token;
    const res = await server.fetch(path, { ...init, headers });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
  };
  const put = (resource: Json, token?: string) =>
    call(`${resource.resourceType}/${resource.id}`, token, { method: 'PUT', body: JSON.stringify(resource) });
  /** Anna's own view of the log: what a patient sees. */
  const annasLog = async () =>
    ((await call('AuditEvent?patient=anna&_count=1000', ANNA)).body.entry ?? []).map((e: Json) => e.resource);
  const subtype = (e: Json) => e.subtype?.[0]?.code;
  const patientsOf = (e: Json) =>
    (e.entity ?? [])
      .filter((x: Json) => x.role?.code === '1')
      .map((x: Json) => x.what.reference)
      .sort();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-'));
    const file = join(dir, 'tokens.json');
    writeFileSync(
      file,
      JSON.stringify([
        { accessToken: ANNA, resourceId: 'anna' },
        { accessToken: BRAM, resourceId: 'bram' },
      ]),
    );
    server = await startTestServer({}, { config: { conformanceTokensFile: file } });
    const scope = 'system/AuditEvent.rs';
    auditor = `Bearer ${await backendToken(server, await registerBackendClient(server, { scope }), scope)}`;
    for (const p of ['anna', 'bram', 'cees']) {
      expect((await put({ resourceType: 'Patient', id: p, name: [{ family: p }] })).status).to.equal(201);
    }
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a read by a hospital system is in the patient’s log: what, who (the client), when, outcome', async () => {
    const before = Date.now();
    expect((await call('Patient/anna')).status).to.equal(200);
    const event = (await annasLog()).find(
      (e: Json) =>
        subtype(e) === 'read' &&
        e.entity?.some((x: Json) => x.what?.reference === 'Patient/anna' && x.role.code === '4'),
    );
    expect(event, 'the read of Patient/anna').to.not.equal(undefined);
    expect(event.type.code).to.equal('rest');
    expect(event.action).to.equal('R');
    expect(event.outcome).to.equal('0');
    expect(Date.parse(event.recorded)).to.be.within(before - 1000, Date.now());
    expect(patientsOf(event)).to.deep.equal(['Patient/anna']);
    const client = event.agent.find((a: Json) => a.type.coding[0].code === '110153');
    expect(client.who.identifier.value, 'the client application').to.be.a('string');
    expect(event.purposeOfEvent[0].coding[0].code).to.equal('HOPERAT');
  });

  it('a search over three patients writes an event for each of them, naming only them; the query goes to the auditor', async () => {
    const res = await call('Patient?_id=anna,bram,cees');
    expect(res.body.entry).to.have.length(3);
    const mine = (await annasLog()).filter((e: Json) => subtype(e) === 'search-type' && e.outcome === '0');
    const forAnna = mine.at(-1);
    expect(patientsOf(forAnna)).to.deep.equal(['Patient/anna']);
    expect(JSON.stringify(forAnna), 'no other patient, no query naming them').to.not.match(/bram|cees/);
    expect(forAnna.entity.some((x: Json) => x.role.code === '24')).to.equal(false);
    const bramsLog = (await call('AuditEvent?patient=bram&_count=1000', BRAM)).body.entry.map(
      (e: Json) => e.resource,
    );
    const forBram = bramsLog.filter((e: Json) => subtype(e) === 'search-type').at(-1);
    expect(patientsOf(forBram)).to.deep.equal(['Patient/bram']);
    const all = (await call('AuditEvent?_count=1000&_sort=-date', auditor)).body.entry.map(
      (e: Json) => e.resource,
    );
    const withQuery = all.find(
      (e: Json) =>
        subtype(e) === 'search-type' &&
        e.entity?.some(
          (x: Json) =>
            x.role.code === '24' && Buffer.from(x.query, 'base64').toString() === '_id=anna%2Cbram%2Ccees',
        ),
    );
    expect(withQuery, 'the query, for the auditor').to.not.equal(undefined);
    expect(withQuery.entity.find((x: Json) => x.role.code === '24').description).to.equal('Patient');
  });

  it('a patient sees only their own entries, and reading the log is logged too', async () => {
    await call('Patient/bram');
    const log = await annasLog();
    expect(log.length).to.be.greaterThan(0);
    for (const e of log) {
      const refs = [
        ...(e.entity ?? []).map((x: Json) => x.what?.reference),
        ...e.agent.map((a: Json) => a.who?.reference),
      ].filter(Boolean);
      expect(refs, `event ${e.id} is about anna`).to.include('Patient/anna');
    }
    const reads = (await annasLog()).filter(
      (e: Json) =>
        subtype(e) === 'search-type' &&
        e.entity?.some((x: Json) => x.role.code === '24' && x.description === 'AuditEvent'),
    );
    expect(reads.length, 'her earlier reads of her log').to.be.greaterThan(0);
    expect(reads[0].agent[0].who.reference).to.equal('Patient/anna');
    expect(reads[0].purposeOfEvent[0].coding[0].code).to.equal('PATRQT');
  });

  it('nobody else reads the log: a hospital system finds none, by search, id, history, _has, chains or compartments', async () => {
    const anyEvent = (await annasLog())[0];
    const count = async (path: string) => {
      const res = await call(path);
      expect(res.status, path).to.equal(200);
      return res.body.total;
    };
    expect(await count('AuditEvent?_total=accurate')).to.equal(0);
    expect(await count('AuditEvent?_summary=count')).to.equal(0);
    expect(await count('?_type=AuditEvent&_total=accurate')).to.equal(0);
    expect(await count('Patient/anna/AuditEvent?_total=accurate')).to.equal(0);
    expect(await count('Patient?_has:AuditEvent:patient:action=R&_total=accurate'), '_has').to.equal(0);
    expect(await count('Patient?_has:AuditEvent:patient:_id=' + anyEvent.id + '&_total=accurate')).to.equal(
      0,
    );
    const byId = await call(`AuditEvent/${anyEvent.id}`);
    const missing = await call('AuditEvent/never-was');
    expect(byId.status).to.equal(404);
    expect(byId.body.issue[0].code).to.equal(missing.body.issue[0].code);
    expect((await call(`AuditEvent/${anyEvent.id}/_history/1`)).status).to.equal(404);
    expect((await call(`AuditEvent/${anyEvent.id}/_history`)).status).to.equal(404);
    const typeHistory = await call('AuditEvent/_history');
    expect(typeHistory.body.entry ?? []).to.deep.equal([]);
    const history = await call('_history?_count=1000');
    expect(history.body.entry.some((e: Json) => e.fullUrl.includes('/AuditEvent/'))).to.equal(false);
    const revinclude = await call('Patient?_id=anna&_revinclude=AuditEvent:patient');
    expect(revinclude.body.entry.map((e: Json) => e.resource.resourceType)).to.deep.equal(['Patient']);
  });

  it('a client with system/*.rs cannot make itself an auditor by asking for system/AuditEvent.rs', async () => {
    const client = await registerBackendClient(server, { scope: 'system/*.rs' });
    const res = await backendTokenResponse(server, client, 'system/AuditEvent.rs');
    const body = (await res.json()) as Json;
    if (res.status === 200) {
      expect(body.scope ?? '', 'the token does not carry the log').to.not.contain('AuditEvent');
      const log = await call('AuditEvent?_total=accurate', `Bearer ${body.access_token}`);
      expect(log.body.total ?? 0).to.equal(0);
    } else {
      expect(body.error).to.equal('invalid_scope');
    }
  });

  it('no one changes or deletes an event, and the answer does not depend on whether it exists', async () => {
    const anyEvent = (await annasLog())[0];
    for (const id of [anyEvent.id, 'never-was']) {
      const del = await call(`AuditEvent/${id}`, undefined, { method: 'DELETE' });
      expect(del.status, `DELETE ${id}`).to.equal(405);
      const putRes = await call(`AuditEvent/${id}`, undefined, {
        method: 'PUT',
        body: JSON.stringify({ ...anyEvent, id, outcome: '8' }),
      });
      expect(putRes.status, `PUT ${id}`).to.equal(405);
      expect(putRes.body.issue[0].diagnostics).to.match(/never changed or deleted/);
    }
    const again = (await annasLog()).find((e: Json) => e.id === anyEvent.id);
    expect(again.meta.versionId).to.equal('1');
  });

  it('a patient may not write an event into their own log', async () => {
    const res = await call('AuditEvent', ANNA, {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'AuditEvent',
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
        recorded: new Date().toISOString(),
        agent: [{ who: { reference: 'Patient/anna' }, requestor: true }],
        source: { observer: { display: 'forged' } },
        entity: [{ what: { reference: 'Patient/anna' } }],
      }),
    });
    expect(res.status).to.equal(403);
  });

  it('a refused interaction is logged with its outcome', async () => {
    const res = await call('Observation/_history', ANNA);
    expect(res.status).to.equal(403);
    const refused = (await annasLog()).find((e: Json) => subtype(e) === 'history-type' && e.outcome === '4');
    expect(refused, 'the refused history, by anna').to.not.equal(undefined);
    expect(refused.outcomeDesc).to.be.a('string');
  });

  it('twenty concurrent reads are each logged (their commits are shared: test/unit/audit)', async () => {
    const before = (await annasLog()).filter((e: Json) => subtype(e) === 'vread').length;
    await Promise.all(Array.from({ length: 20 }, () => call('Patient/anna/_history/1')));
    const after = (await annasLog()).filter((e: Json) => subtype(e) === 'vread').length;
    expect(after - before).to.equal(20);
  });

  it('every change is in the log of its patient: a create in a transaction, an update, a delete', async () => {
    const obs = (id: string) => ({
      resourceType: 'Observation',
      id,
      status: 'final',
      code: { text: 'x' },
      subject: { reference: 'Patient/anna' },
    });
    const tx = await call('', undefined, {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { ...obs('x'), id: undefined }, request: { method: 'POST', url: 'Observation' } },
        ],
      }),
    });
    expect(tx.status).to.equal(200);
    const created = /Observation\/([^/]+)/.exec(tx.body.entry[0].response.location)![1];
    expect((await put(obs('obs-log'))).status).to.equal(201);
    expect((await call('Observation/obs-log', undefined, { method: 'DELETE' })).status).to.equal(204);
    const log = await annasLog();
    const names = (e: Json) => (e.entity ?? []).map((x: Json) => x.what?.reference);
    expect(
      log.some((e: Json) => subtype(e) === 'create' && names(e).includes(`Observation/${created}`)),
      'transaction create',
    ).to.equal(true);
    expect(
      log.some((e: Json) => subtype(e) === 'create' && names(e).includes('Observation/obs-log')),
    ).to.equal(true);
    expect(
      log.some((e: Json) => subtype(e) === 'delete' && names(e).includes('Observation/obs-log')),
      'the delete',
    ).to.equal(true);
  });

  it('when the log cannot be written, the request fails with 500 and discloses nothing', async () => {
    await withAuditRefused(server, async () => {
      const res = await call('Patient/anna');
      expect(res.status).to.equal(500);
      expect(res.body.resourceType).to.equal('OperationOutcome');
      expect(JSON.stringify(res.body)).to.not.contain('"family":"anna"');
      expect(res.body.issue[0].diagnostics).to.match(/access log could not be written/);
      const search = await call('Patient?_id=bram');
      expect(search.status).to.equal(500);
      expect(JSON.stringify(search.body)).to.not.contain('bram"');
      const compartment = await call('Patient/anna/*');
      expect(compartment.status, 'compartment searches are logged too').to.equal(500);
      const write = await put({ resourceType: 'Patient', id: 'dora', name: [{ family: 'dora' }] });
      expect(write.status).to.equal(500);
    });
    expect((await call('Patient/anna')).status).to.equal(200);
    expect((await call('Patient/dora')).status, 'a change whose log failed was not made').to.equal(404);
  });
});
