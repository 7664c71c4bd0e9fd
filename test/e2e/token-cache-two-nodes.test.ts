import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';

/**
 * A node keeps a token's lookup (TOKEN_CACHE_SECONDS) only while it listens for revocations:
 * a revocation anywhere (another node, the CLI, any SQL) reaches every node within a second,
 * and a node that lost its listener keeps nothing. Two nodes on one Postgres database.
 */
describe('kept token lookups: revocation reaches every node', function () {
  this.timeout(60_000);
  let a: TestServer;
  let b: TestServer;
  const scope = 'system/Patient.rs';

  const status = async (node: TestServer, token: string) =>
    (await node.fetchBare('Patient?_count=1', { headers: { authorization: `Bearer ${token}` } })).status;
  /** Deletes a token's row without telling anyone: no trigger, no hook (what a cache would miss). */
  const deleteSilently = async (token: string) => {
    await a.app.db.knex.transaction(async (trx) => {
      await trx.raw('alter table oauth_store disable trigger oauth_store_token_changed');
      await trx('oauth_store').where({ id: token }).delete();
      await trx.raw('alter table oauth_store enable trigger oauth_store_token_changed');
    });
  };
  const listeners = async () =>
    Number(
      (
        (await a.app.db.knex.raw(
          `select count(*)::int as n from pg_stat_activity
            where application_name = 'zorgpoort-token-listener' and datname = current_database()`,
        )) as { rows: { n: number }[] }
      ).rows[0]!.n,
    );
  const newToken = async () => {
    const client = await registerBackendClient(a, { scope });
    return { client, token: await backendToken(a, client, scope) };
  };
  /** Milliseconds until `node` refuses `token`, or Infinity after `limit` ms. */
  const refusedWithin = async (node: TestServer, token: string, limit: number) => {
    const start = Date.now();
    while (Date.now() - start < limit) {
      if ((await status(node, token)) === 401) return Date.now() - start;
      await new Promise((r) => setTimeout(r, 20));
    }
    return Infinity;
  };

  before(async function () {
    if (!process.env.DATABASE_URL) this.skip();
    const config = { baseUrl: 'http://zorgpoort.test' };
    a = await startTestServer({}, { config });
    b = await startTestServer({}, { config, reuseDatabaseOf: a });
    for (let i = 0; i < 50 && (await listeners()) < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await listeners(), 'both nodes listen').to.equal(2);
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  it('a node keeps a lookup: a token row deleted behind its back still answers until a revocation says so', async () => {
    const { token } = await newToken();
    expect(await status(b, token)).to.equal(200);
    await deleteSilently(token);
    expect(await status(b, token), 'kept on b').to.equal(200);
    expect(await status(a, token), 'never looked up on a').to.equal(401);
  });

  it('a client revoked through node a is refused on node b within a second', async () => {
    const { client, token } = await newToken();
    expect([await status(a, token), await status(b, token)]).to.deep.equal([200, 200]);
    await a.app.smart.clients.revoke(client.clientId);
    expect(await status(a, token), 'at once on the node that revoked').to.equal(401);
    expect(await refusedWithin(b, token, 1000)).to.be.lessThan(1000);
  });

  it('a token deleted by another process (any SQL, the CLI) is refused on both nodes within a second', async () => {
    const { token } = await newToken();
    expect([await status(a, token), await status(b, token)]).to.deep.equal([200, 200]);
    const other = a.app.db.knex; // a separate connection from the pool: the trigger notifies at commit
    await other('oauth_store').where({ id: token }).delete();
    expect(await refusedWithin(a, token, 1000)).to.be.lessThan(1000);
    expect(await refusedWithin(b, token, 1000)).to.be.lessThan(1000);
  });

  it('a node whose listener is gone keeps nothing, and listens again', async () => {
    const { token } = await newToken();
    const unseen = await newToken(); // looked up on b only while b cannot hear revocations
    expect(await status(b, token)).to.equal(200);
    await a.app.db.knex.raw(
      `select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = 'zorgpoort-token-listener' and datname = current_database()`,
    );
    await new Promise((r) => setTimeout(r, 200)); // the nodes reconnect after a second
    await deleteSilently(token);
    expect(await status(b, token), 'what b kept went with its listener').to.equal(401);
    expect(await status(b, unseen.token)).to.equal(200);
    await deleteSilently(unseen.token);
    expect(await status(b, unseen.token), 'nothing kept while not listening').to.equal(401);
    for (let i = 0; i < 50 && (await listeners()) < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await listeners(), 'both nodes listen again').to.equal(2);
    const fresh = await newToken();
    expect(await status(b, fresh.token)).to.equal(200);
    await deleteSilently(fresh.token);
    expect(await status(b, fresh.token), 'kept again once listening').to.equal(200);
  });
});
