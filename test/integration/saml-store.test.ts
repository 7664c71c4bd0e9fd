import { expect } from 'chai';
import { createDatabase, type Database } from '../../server/fhir/storage/database.ts';
import { createSamlStore } from '../../server/fhir/storage/auth/saml-store.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/harness.ts';

/** The SAML login state in the database: outstanding AuthnRequest ids and used assertion ids. */
describe('saml-store (outstanding requests, replay cache)', () => {
  let throwaway: ThrowawayDatabase | undefined;
  let db: Database;
  let clock = Date.parse('2026-01-01T12:00:00Z');
  const now = () => clock;

  before(async () => {
    const adminUrl = process.env.DATABASE_URL;
    throwaway = adminUrl ? await createThrowawayDatabase(adminUrl) : undefined;
    db = createDatabase({ databaseUrl: throwaway?.url, pgliteDataDir: 'memory://' });
    await db.migrate();
  });

  after(async () => {
    await db.close();
    await throwaway?.drop();
  });

  it('keeps a request id until it is answered, per IdP', async () => {
    const store = createSamlStore({ knex: db.knex, requestTtlMs: 60_000, now });
    const uzi = store.requests('uzi');
    const saved = await uzi.saveAsync('_req1', '2026-01-01T12:00:00Z');
    expect(saved?.value).to.equal('2026-01-01T12:00:00Z');
    expect(await uzi.getAsync('_req1')).to.equal(new Date(clock).toISOString());
    // Another IdP cannot answer a request we sent to this one.
    expect(await store.requests('digid').getAsync('_req1')).to.equal(null);
    expect(await store.requests('digid').removeAsync('_req1')).to.equal(null);
    expect(await uzi.removeAsync('_req1')).to.equal(new Date(clock).toISOString());
    expect(await uzi.getAsync('_req1')).to.equal(null);
    expect(await uzi.removeAsync(null)).to.equal(null);
  });

  it('forgets a request id once it expires (and another node sees the same)', async () => {
    const store = createSamlStore({ knex: db.knex, requestTtlMs: 60_000, now });
    const otherNode = createSamlStore({ knex: db.knex, requestTtlMs: 60_000, now });
    await store.requests('uzi').saveAsync('_req2', 'x');
    expect(await otherNode.requests('uzi').getAsync('_req2')).to.not.equal(null);
    clock += 59_999;
    expect(await otherNode.requests('uzi').getAsync('_req2')).to.not.equal(null);
    clock += 1;
    expect(await otherNode.requests('uzi').getAsync('_req2')).to.equal(null);
    await store.prune();
    const left = await db
      .knex('saml_request')
      .where({ id: '_req2' })
      .count<{ count: string }[]>('* as count');
    expect(Number(left[0]!.count)).to.equal(0);
  });

  it('accepts an assertion id once, until it expires', async () => {
    const store = createSamlStore({ knex: db.knex, requestTtlMs: 60_000, now });
    const until = new Date(clock + 5 * 60_000);
    expect(await store.useAssertion('uzi', '_a1', until)).to.equal(true);
    expect(await store.useAssertion('uzi', '_a1', until)).to.equal(false);
    // Assertion ids are the IdP's: another IdP's assertion may carry the same one.
    expect(await store.useAssertion('digid', '_a1', until)).to.equal(true);
    const racing = await Promise.all([
      store.useAssertion('uzi', '_a2', until),
      createSamlStore({ knex: db.knex, requestTtlMs: 60_000, now }).useAssertion('uzi', '_a2', until),
    ]);
    expect(racing.filter(Boolean)).to.have.length(1);
    clock += 5 * 60_000;
    await store.prune();
    expect(await store.useAssertion('uzi', '_a1', new Date(clock + 60_000))).to.equal(true);
  });
});
