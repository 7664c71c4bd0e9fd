import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig } from '../../server/config.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';

type Json = Record<string, any>;

const A = 'Bearer token-of-anna';
const B = 'Bearer token-of-bram';

/** Static per-patient tokens (the conformance configuration): each sees only their own compartment. */
describe('conformance tokens: a patient token sees its own compartment only', function () {
  this.timeout(60_000);
  let server: TestServer;
  let dir: string;

  const call = async (path: string, token?: string, init: RequestInit = {}) => {
    const headers: Record<string, string> = {
      accept: 'application/fhir+json',
      ...(init.headers as Record<string, string>),
    };
    if (token) headers.authorization = token;
    const res = await server.fetch(path, { ...init, headers });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
  };
  const put = (path: string, resource: Json, token?: string) =>
    call(path, token, {
      method: 'PUT',
      body: JSON.stringify(resource),
      headers: { 'content-type': 'application/fhir+json' },
    });
  const ids = (bundle: Json) =>
    (bundle.entry ?? []).map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`).sort();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokens-'));
    const file = join(dir, 'QualificationTokens.json');
    writeFileSync(
      file,
      JSON.stringify([
        { accessToken: A, resourceId: 'anna' },
        { accessToken: B, resourceId: 'bram' },
      ]),
    );
    server = await startTestServer({}, { config: { conformanceTokensFile: file } });
    // Loaded without a token (anonymous callers are unrestricted until authentication lands).
    await put('Organization/clinic', { resourceType: 'Organization', id: 'clinic', name: 'Clinic' });
    for (const p of ['anna', 'bram']) {
      await put(`Patient/${p}`, { resourceType: 'Patient', id: p, name: [{ family: p }] });
      await put(`Observation/obs-${p}`, {
        resourceType: 'Observation',
        id: `obs-${p}`,
        status: 'final',
        code: { text: 'weight' },
        identifier: [{ system: 'urn:test', value: `id-${p}` }],
        subject: { reference: `Patient/${p}` },
        performer: [{ reference: 'Organization/clinic' }],
        ...(p === 'bram' ? { device: { reference: 'Device/scale-of-bram' } } : {}),
      });
    }
    // Outside the Patient compartment but someone's: denied by default, not "shared".
    await put('Task/task-bram', {
      resourceType: 'Task',
      id: 'task-bram',
      status: 'ready',
      intent: 'order',
      for: { reference: 'Patient/bram' },
    });
    await put('Device/scale-of-bram', { resourceType: 'Device', id: 'scale-of-bram' });
    await put('List/list-bram', {
      resourceType: 'List',
      id: 'list-bram',
      status: 'current',
      mode: 'working',
      subject: { reference: 'Patient/bram' },
      entry: [{ item: { reference: 'Organization/clinic' } }],
    });
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await server?.close();
  });

  it("reads: own data and shared resources 200; another patient's data 404, exactly like a missing one", async () => {
    expect((await call('Patient/anna', A)).status).to.equal(200);
    expect((await call('Observation/obs-anna', A)).status).to.equal(200);
    expect((await call('Organization/clinic', A)).status).to.equal(200);
    const other = await call('Observation/obs-bram', A);
    const missing = await call('Observation/no-such-thing', A);
    expect(other.status).to.equal(404);
    expect(other.body.issue[0].code).to.equal(missing.body.issue[0].code);
    expect((await call('Patient/bram', A)).status).to.equal(404);
    expect((await call('Observation/obs-bram/_history/1', A)).status).to.equal(404);
    expect((await call('Observation/obs-bram/_history', A)).status).to.equal(404);
  });

  it('searches, totals, includes and $everything carry only the own compartment', async () => {
    const obs = await call('Observation?_total=accurate', A);
    expect(ids(obs.body)).to.deep.equal(['Observation/obs-anna']);
    expect(obs.body.total).to.equal(1);
    const rev = await call('Organization?_revinclude=Observation:performer', A);
    expect(ids(rev.body)).to.deep.equal(['Observation/obs-anna', 'Organization/clinic']);
    const inc = await call('Observation?_include=Observation:subject', B);
    expect(ids(inc.body)).to.deep.equal(['Observation/obs-bram', 'Patient/bram']);
    const has = await call('Patient?_has:Observation:subject:code:text=weight', A);
    expect(ids(has.body)).to.deep.equal(['Patient/anna']);
    // _has and chains over another patient's data must not reveal it, even from a shared resource.
    expect(
      ids((await call('Organization?_has:Observation:performer:subject=Patient/bram', A)).body),
    ).to.deep.equal([]);
    expect(
      ids((await call('Organization?_has:Observation:performer:subject=Patient/anna', A)).body),
    ).to.deep.equal(['Organization/clinic']);
    expect(ids((await call('Observation?subject:Patient.name=bram', A)).body)).to.deep.equal([]);
    expect((await call('Patient/bram/$everything', A)).status).to.equal(404);
    expect(ids((await call('Patient/anna/$everything', A)).body)).to.deep.equal([
      'Observation/obs-anna',
      'Organization/clinic',
      'Patient/anna',
    ]);
  });

  it("types outside the compartment are denied unless shared (a Device without a patient); a Task is its patient's (our addition)", async () => {
    expect((await call('Task/task-bram', A)).status).to.equal(404);
    expect(ids((await call('Task?patient=Patient/bram', A)).body)).to.deep.equal([]);
    expect((await call('Task/task-bram', B)).status).to.equal(200);
    expect((await call('Device/scale-of-bram', A)).status).to.equal(404);
    expect((await call('Device/scale-of-bram', B)).status).to.equal(404);
  });

  it('untyped searches carry the same criteria; history across resources and _list are refused (403)', async () => {
    const all = ids((await call('?_lastUpdated=gt2000&_count=100', A)).body);
    expect(all).to.include.members(['Patient/anna', 'Observation/obs-anna', 'Organization/clinic']);
    expect(all.filter((id: string) => /bram/.test(id))).to.deep.equal([]);
    expect((await call('Observation/_history', A)).status).to.equal(403);
    expect((await call('_history', A)).status).to.equal(403);
    expect((await call('Organization?_list=list-bram', A)).status).to.equal(403);
  });

  it('_include:iterate does not walk through a resource the caller may not see', async () => {
    const res = await call(
      'Organization?_id=clinic&_revinclude=Observation:performer&_include:iterate=Observation:device',
      A,
    );
    expect(ids(res.body)).to.deep.equal(['Observation/obs-anna', 'Organization/clinic']);
    const unrestricted = await call(
      'Organization?_id=clinic&_revinclude=Observation:performer&_include:iterate=Observation:device',
    );
    expect(ids(unrestricted.body), 'the walk exists for an unrestricted caller').to.include(
      'Device/scale-of-bram',
    );
  });

  it("If-Match on another patient's resource says nothing about its version", async () => {
    const res = await call('Observation/obs-bram', A, {
      method: 'DELETE',
      headers: { 'if-match': 'W/"99"' },
    });
    expect(res.status).to.equal(403);
    expect(JSON.stringify(res.body)).to.not.match(/W\/"1"|version/);
    expect((await call('Observation/obs-bram')).status, 'nothing was deleted').to.equal(200);
  });

  it("conditional criteria cannot see another patient's resource", async () => {
    const res = await call('Observation', A, {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'x' },
        subject: { reference: 'Patient/anna' },
      }),
      headers: { 'content-type': 'application/fhir+json', 'if-none-exist': 'identifier=urn:test|id-bram' },
    });
    expect(res.status, "a match would have answered 200 with bram's Observation").to.equal(201);
    expect(res.body.subject.reference).to.equal('Patient/anna');
  });

  it('an unknown token is 401 with WWW-Authenticate', async () => {
    const res = await call('Patient/anna', 'Bearer not-a-token');
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.match(/^Bearer .*error="invalid_token"/);
    expect(res.body.resourceType).to.equal('OperationOutcome');
  });

  it('a 410 shows the version headers only to a caller who could see the version it deleted', async () => {
    const obs = (subject: string) => ({
      resourceType: 'Observation',
      id: 'obs-moved',
      status: 'final',
      code: { text: 'length' },
      subject: { reference: `Patient/${subject}` },
    });
    expect((await put('Observation/obs-moved', obs('anna'))).status).to.equal(201);
    expect((await put('Observation/obs-moved', obs('bram'))).status).to.equal(200);
    expect((await call('Observation/obs-moved', undefined, { method: 'DELETE' })).status).to.equal(204);

    const forAnna = await call('Observation/obs-moved', A);
    expect(forAnna.status, 'Anna saw version 1, so she may learn it is gone').to.equal(410);
    expect(forAnna.headers.get('etag'), 'but not that it had a version 2 she never saw').to.equal(null);
    expect(forAnna.headers.get('last-modified')).to.equal(null);
    const forBram = await call('Observation/obs-moved', B);
    expect(forBram.status).to.equal(410);
    expect(forBram.headers.get('etag')).to.equal('W/"3"');
  });

  it("Patient/$purge deletes the patient's compartment and nothing else", async () => {
    const res = await call('Patient/bram/$purge', B, { method: 'POST' });
    expect(res.status).to.equal(200);
    expect(res.body.issue[0].diagnostics).to.match(/4 resource\(s\) deleted/);
    expect((await call('List/list-bram')).status).to.equal(410);
    expect((await call('Task/task-bram')).status).to.equal(410);
    expect((await call('Device/scale-of-bram')).status).to.equal(200);
    expect((await call('Patient/bram')).status).to.equal(410);
    expect((await call('Observation/obs-bram')).status).to.equal(410);
    expect((await call('Organization/clinic')).status).to.equal(200);
    expect((await call('Observation/obs-anna')).status).to.equal(200);
    // Bram's deleted resources are still nothing to Anna; to Bram they are gone (410).
    expect((await call('Observation/obs-bram', A)).status).to.equal(404);
    expect((await call('Observation/obs-bram', B)).status).to.equal(410);
  });
});

describe("conformance tokens: Nictiz's full upstream file", function () {
  this.timeout(60_000);

  it('starts with an entry whose token is an empty "Bearer ", skips it with a warning, and keeps the others', async () => {
    // The full Configuration/QualificationTokens.json as vendored, with the empty-token entry
    // Nictiz's later upstream version has added.
    const upstream = new URL(
      '../../conformance/nictiz/PatientCorrections-1-0-Test/Configuration/QualificationTokens.json',
      import.meta.url,
    );
    const entries = JSON.parse(readFileSync(upstream, 'utf8')) as Json[];
    expect(entries.length).to.equal(192);
    const dir = mkdtempSync(join(tmpdir(), 'tokens-'));
    const file = join(dir, 'QualificationTokens.json');
    writeFileSync(
      file,
      JSON.stringify([
        ...entries,
        { accessToken: 'Bearer ', resourceId: 'no-token-patient', qualificationScript: 'x' },
      ]),
    );
    const warnings: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) {
          const l = JSON.parse(line) as { level: number; msg: string };
          if (l.level === 40) warnings.push(l.msg);
        }
        done();
      },
    });
    const server = await startTestServer(
      {},
      { config: { conformanceTokensFile: file }, logger: pino({ level: 'warn' }, sink) },
    );
    try {
      expect(
        warnings.some((w) => /entry 192 \(no-token-patient\) has an empty token and is skipped/.test(w)),
      ).to.equal(true);
      await server.fetch('Patient/nl-core-Patient-1285290', {
        method: 'PUT',
        body: JSON.stringify({ resourceType: 'Patient', id: 'nl-core-Patient-1285290' }),
        headers: { 'content-type': 'application/fhir+json' },
      });
      const own = await server.fetchBare('Patient/nl-core-Patient-1285290', {
        headers: { authorization: 'Bearer 52d1157f-08fc-4519-8458-82427de17fb7' },
      });
      expect(own.status, 'the PatientCorrections token is that patient').to.equal(200);
      const empty = await server.fetchBare('Patient/no-token-patient', {
        headers: { authorization: 'Bearer ' },
      });
      expect(empty.status, 'an empty token names nobody').to.equal(401);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('conformance configuration outside conformance mode', function () {
  this.timeout(60_000);

  it('is refused in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', CONFORMANCE_TOKENS_FILE: '/tmp/x.json' })).to.throw(
      /refused/,
    );
    expect(loadConfig({ NODE_ENV: 'production' }).conformanceTokensFile).to.equal(undefined);
  });

  it('is off by default: tokens are not checked and there is no $purge', async () => {
    const server = await startTestServer();
    try {
      await server.fetch('Patient/p', {
        method: 'PUT',
        body: JSON.stringify({ resourceType: 'Patient', id: 'p' }),
        headers: { 'content-type': 'application/fhir+json' },
      });
      expect((await server.fetch('Patient/p/$purge', { method: 'POST' })).status).to.equal(404);
      expect((await server.fetch('Patient/p')).status).to.equal(200);
    } finally {
      await server.close();
    }
  });
});
