import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/harness.ts';

type Json = Record<string, any>;

const ANNA = 'Bearer intake-token-of-anna';

/**
 * The access log is appended to a narrow intake on every request and projected into the
 * resource tables in the background (server/audit/audit-projector.ts). A reader of the log never
 * misses an event logged before it asked, on any node; every event is projected exactly once.
 */
describe('audit intake: appended on every request, searchable before anyone reads it', function () {
  this.timeout(120_000);
  let dir: string;
  let a: TestServer;
  let b: TestServer | undefined;

  const get = async (node: TestServer, path: string, token?: string) => {
    const res = await node.fetch(path, {
      headers: { accept: 'application/fhir+json', ...(token ? { authorization: token } : {}) },
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const intake = async () =>
    Number(
      ((await a.app.db.knex.raw('select count(*) as n from audit_log')) as { rows: { n: string }[] }).rows[0]!
        .n,
    );
  /** Anna's reads of `Patient/anna` in her own log, by the event's own id. */
  const readsOfAnna = async (node: TestServer) => {
    const { status, body } = await get(node, 'AuditEvent?patient=anna&subtype=read&_count=1000', ANNA);
    expect(status).to.equal(200);
    return (body.entry ?? []).map((e: Json) => e.resource.id as string);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'intake-'));
    const file = join(dir, 'tokens.json');
    writeFileSync(file, JSON.stringify([{ accessToken: ANNA, resourceId: 'anna' }]));
    const config = { conformanceTokensFile: file, baseUrl: 'http://zorgpoort.test' };
    a = await startTestServer({}, { config });
    if (process.env.DATABASE_URL) b = await startTestServer({}, { config, reuseDatabaseOf: a });
    const res = await a.fetch('Patient/anna', {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient', id: 'anna', name: [{ family: 'anna' }] }),
    });
    expect(res.status).to.equal(201);
  });
  after(async () => {
    await b?.close();
    await a?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the background projector empties the intake with no reader asking', async () => {
    const projected = async () =>
      Number(
        (
          (await a.app.db.knex.raw(
            `select count(*) as n from resource where resource_type = 'AuditEvent'`,
          )) as { rows: { n: string }[] }
        ).rows[0]!.n,
      );
    const before = await projected();
    for (let i = 0; i < 5; i++) expect((await get(a, 'Patient/anna')).status).to.equal(200);
    const until = Date.now() + 10_000;
    while (((await intake()) > 0 || (await projected()) < before + 5) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await intake(), 'the intake is empty').to.equal(0);
    expect(await projected(), 'and its events are resources').to.be.at.least(before + 5);
  });

  it("a patient's _revinclude of her log finds the read just made", async () => {
    const reads = async () => {
      const path = 'Patient?_id=anna&_revinclude=AuditEvent:patient&_count=1000';
      const { status, body } = await get(a, path, ANNA);
      expect(status).to.equal(200);
      return (body.entry ?? [])
        .map((e: Json) => e.resource)
        .filter((r: Json) => r.resourceType === 'AuditEvent' && r.subtype?.[0]?.code === 'read')
        .map((r: Json) => r.id as string);
    };
    const before = new Set(await reads());
    expect((await get(a, 'Patient/anna')).status).to.equal(200);
    expect((await reads()).filter((id: string) => !before.has(id))).to.have.length(1);
  });

  it('under concurrent reads and readers of the log, each event is projected exactly once', async () => {
    const before = (await readsOfAnna(a)).length;
    const work = [
      ...Array.from({ length: 40 }, () => get(a, 'Patient/anna')),
      ...Array.from({ length: 8 }, () => readsOfAnna(a)),
    ];
    const results = await Promise.all(work);
    expect(results.slice(0, 40).every((r) => (r as { status: number }).status === 200)).to.equal(true);
    const ids = await readsOfAnna(a);
    expect(new Set(ids).size, 'no event twice').to.equal(ids.length);
    // Anna's reads of her log are not reads of Patient/anna: exactly the 40 new ones.
    expect(ids.length - before).to.equal(40);
  });

  it('an event logged through one node is in the log read through the other at once (Postgres)', async function () {
    if (!b) this.skip();
    const before = new Set(await readsOfAnna(b!));
    expect((await get(a, 'Patient/anna')).status).to.equal(200);
    const after = await readsOfAnna(b!);
    expect(after.filter((id: string) => !before.has(id))).to.have.length(1);
  });
});
