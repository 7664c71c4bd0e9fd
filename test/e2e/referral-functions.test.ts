import { expect } from 'chai';
import { putResources, type TestServer } from '../support/harness.ts';
import {
  accountsWorld,
  AGB,
  BIG,
  codeOf,
  diagnostics,
  EN,
  invite,
  linkIn,
  partOf,
  PASSWORD,
  person,
  post,
  role,
  VERIFIED,
  type Json,
} from '../support/referral-accounts.ts';
import { personToken } from '../support/smart-flow.ts';

describe('referral accounts: functions verified, changed, deactivated; whole accounts (seed 003)', function () {
  this.timeout(180_000);
  const world = accountsWorld();
  const { call, read, mailTo, accept, passwordLogin, tokens, clock } = world;
  let server: TestServer;
  let newcomer: string;
  let newRoles: Json[];

  /** Nina joins: invited as gp (with AGB) and admin-reports of cluster A, accepts, logs in with her password. */
  before(async () => {
    await world.start();
    server = world.server;
    const made = await call(
      'Organization/zkh/$invite-colleague',
      'boss',
      invite(
        'nieuw@example.org',
        [
          {
            part: [
              { name: 'code', valueCode: 'gp' },
              { name: 'agb', valueString: '01234567' },
            ],
          },
          'admin-reports',
        ],
        ['zkh-a'],
      ),
    );
    expect(made.status).to.equal(201);
    const done = await accept(linkIn(await mailTo('nieuw@example.org')), {
      given: 'Nina',
      family: 'Nieuw',
      big: '12345678901',
      password: PASSWORD,
    });
    expect(done.status).to.equal(201);
    newcomer = done.body.practitioner.split('/')[1];
    newRoles = await Promise.all(done.body.roles.map((r: string) => read(r)));
    const login = await passwordLogin('nieuw@example.org', PASSWORD);
    expect(login.status).to.equal(200);
    tokens.newcomer = login.token!;
  });
  after(() => world.close());

  it('a function is verified by a responsible admin over it, never by its holder (four eyes)', async () => {
    const gp = newRoles.find((r) => codeOf(r) === 'gp')!;
    const own = await call('PractitionerRole/boss-resp/$verify-function', 'boss', post());
    expect(own.status).to.equal(403);
    expect(diagnostics(own.body)).to.contain('four eyes');
    const verified = await call(`PractitionerRole/${gp.id}/$verify-function`, 'boss', post());
    expect(verified.status, JSON.stringify(verified.body)).to.equal(200);
    const ext = verified.body.extension.find((e: Json) => e.url === VERIFIED);
    expect(ext.extension).to.deep.include({ url: 'by', valueReference: { reference: 'Practitioner/boss' } });
    expect(ext.extension.find((e: Json) => e.url === 'at').valueDateTime).to.equal(
      new Date(clock.now).toISOString(),
    );
    expect((await read(`PractitionerRole/${gp.id}`)).extension[0].url).to.equal(VERIFIED);
    // Another organisation's admin, and one without the function, may not.
    expect((await call(`PractitionerRole/${gp.id}/$verify-function`, 'elsewhere', post())).status).to.equal(
      403,
    );
    tokens.newcomer = await personToken(server, `Practitioner/${newcomer}`);
    expect((await call(`PractitionerRole/${gp.id}/$verify-function`, 'newcomer', post())).status).to.equal(
      403,
    );
    expect((await call('PractitionerRole/nope/$verify-function', 'boss', post())).status).to.equal(404);
  });

  it('the persons overview shows people, functions, verification and clusters, as far as the admin manages', async () => {
    const all = await call('Organization/zkh/$persons', 'boss');
    expect(all.status).to.equal(200);
    const nina = all.body.parameter.find(
      (p: Json) => partOf(p, 'practitioner').valueReference.reference === `Practitioner/${newcomer}`,
    );
    expect(partOf(nina, 'practitioner').valueReference.display).to.equal('Nina Nieuw');
    expect(partOf(nina, 'active').valueBoolean).to.equal(true);
    const fns = nina.part.filter((p: Json) => p.name === 'function');
    const gp = fns.find((f: Json) => partOf(f, 'code').valueCoding.code === 'gp');
    expect(partOf(gp, 'verified').valueBoolean).to.equal(true);
    expect(partOf(gp, 'agb').valueString).to.equal('01234567');
    const reports = fns.find((f: Json) => partOf(f, 'code').valueCoding.code === 'admin-reports');
    expect(partOf(reports, 'verified').valueBoolean).to.equal(false);
    expect(partOf(reports, 'cluster').valueReference.reference).to.equal('Organization/zkh-a');
    // Cluster A's admin does not see the other responsible admins (functions over the whole organisation).
    const a = await call('Organization/zkh/$persons', 'adminA');
    const refs = a.body.parameter.map((p: Json) => partOf(p, 'practitioner').valueReference.reference);
    expect(refs).to.include(`Practitioner/${newcomer}`);
    expect(refs).not.to.include('Practitioner/boss');
    expect((await call('Organization/zkh/$persons', 'newcomer')).status).to.equal(403);
  });

  it('a person keeps their own function details; each wrong value is named; an AGB change undoes the verification', async () => {
    const gp = newRoles.find((r) => codeOf(r) === 'gp')!;
    const bad = await call(
      `PractitionerRole/${gp.id}/$function-details`,
      'newcomer',
      post([
        { name: 'agb', valueString: '1234' },
        { name: 'big', valueString: '12' },
        { name: 'email', valueString: 'nope' },
        { name: 'phone', valueString: 'call me' },
      ]),
      // no header: both languages
    );
    expect(bad.status).to.equal(400);
    expect(diagnostics(bad.body))
      .to.contain('8 digits')
      .and.contain('11 digits')
      .and.contain('e-mail')
      .and.contain('phone');
    const notOwn = await call(
      `PractitionerRole/${gp.id}/$function-details`,
      'boss',
      post([{ name: 'phone', valueString: '+31201234567' }]),
    );
    expect(notOwn.status).to.equal(403);
    const good = await call(
      `PractitionerRole/${gp.id}/$function-details`,
      'newcomer',
      post([
        { name: 'agb', valueString: '07654321' },
        { name: 'big', valueString: '99999999999' },
        { name: 'email', valueString: 'nina@praktijk.test' },
        { name: 'phone', valueString: '+31 20 123 4567' },
      ]),
    );
    expect(good.status, JSON.stringify(good.body)).to.equal(200);
    const stored = await read(`PractitionerRole/${gp.id}`);
    expect(stored.identifier).to.deep.equal([{ system: AGB, value: '07654321' }]);
    expect(stored.telecom).to.deep.include({ system: 'email', value: 'nina@praktijk.test', use: 'work' });
    expect(stored.telecom).to.deep.include({ system: 'phone', value: '+31 20 123 4567', use: 'work' });
    expect(JSON.stringify(stored)).not.to.contain(VERIFIED);
    expect((await read(`Practitioner/${newcomer}`)).identifier).to.deep.equal([
      { system: BIG, value: '99999999999' },
    ]);
    const reports = newRoles.find((r) => codeOf(r) === 'admin-reports')!;
    const agbOnAdmin = await call(
      `PractitionerRole/${reports.id}/$function-details`,
      'newcomer',
      post([{ name: 'agb', valueString: '01234567' }]),
    );
    expect(agbOnAdmin.status).to.equal(400);
  });

  it("an admin function's clusters are changed by a responsible admin over both the old and the new ones", async () => {
    const reports = newRoles.find((r) => codeOf(r) === 'admin-reports')!;
    const gp = newRoles.find((r) => codeOf(r) === 'gp')!;
    const clusters = (...ids: string[]) =>
      post(ids.map((c) => ({ name: 'cluster', valueReference: { reference: `Organization/${c}` } })));
    expect(
      (await call(`PractitionerRole/${reports.id}/$function-clusters`, 'adminA', clusters('zkh-a', 'zkh-b')))
        .status,
    ).to.equal(403);
    expect(
      (await call(`PractitionerRole/${reports.id}/$function-clusters`, 'newcomer', clusters('zkh-b'))).status,
    ).to.equal(403);
    expect(
      (await call(`PractitionerRole/${reports.id}/$function-clusters`, 'boss', clusters('other-a'))).status,
    ).to.equal(422);
    expect(
      (await call(`PractitionerRole/${gp.id}/$function-clusters`, 'boss', clusters('zkh-a'))).status,
    ).to.equal(400);
    const both = await call(
      `PractitionerRole/${reports.id}/$function-clusters`,
      'boss',
      clusters('zkh-a', 'zkh-b'),
    );
    expect(both.status, JSON.stringify(both.body)).to.equal(200);
    expect(
      (await read(`PractitionerRole/${reports.id}`)).extension.map((e: Json) => e.valueReference.reference),
    ).to.deep.equal(['Organization/zkh-a', 'Organization/zkh-b']);
    // Now bound to B as well, it is no longer cluster A's admin's to change.
    expect(
      (await call(`PractitionerRole/${reports.id}/$function-clusters`, 'adminA', clusters('zkh-a'))).status,
    ).to.equal(403);
    expect(
      (await call(`PractitionerRole/${reports.id}/$function-clusters`, 'boss', clusters('zkh-a'))).status,
    ).to.equal(200);
  });

  it('a deactivated function is gone from the next request on; the person keeps their others', async () => {
    const reports = newRoles.find((r) => codeOf(r) === 'admin-reports')!;
    const report = async () => {
      const res = await server.fetchBare('Organization/zkh/$referral-report?from=2026-12-01&to=2026-12-31', {
        headers: { authorization: tokens.newcomer!, accept: 'text/csv', ...EN },
      });
      const text = await res.text();
      return { status: res.status, body: (res.status === 200 ? {} : JSON.parse(text)) as Json };
    };
    expect((await report()).status).to.equal(200);
    // Cluster A's admin may not reactivate what is outside; the holder deactivates their own.
    const off = await call(`PractitionerRole/${reports.id}/$deactivate-function`, 'newcomer', post());
    expect(off.status).to.equal(200);
    expect(off.body.active).to.equal(false);
    const refused = await report();
    expect(refused.status).to.equal(403);
    expect(diagnostics(refused.body)).to.contain('admin-reports');
    const gp = newRoles.find((r) => codeOf(r) === 'gp')!;
    expect((await read(`PractitionerRole/${gp.id}`)).active).to.equal(true);
    // The holder cannot switch it on again; a responsible admin over it can.
    expect(
      (await call(`PractitionerRole/${reports.id}/$reactivate-function`, 'newcomer', post())).status,
    ).to.equal(403);
    expect(
      (await call(`PractitionerRole/${reports.id}/$reactivate-function`, 'elsewhere', post())).status,
    ).to.equal(403);
    const on = await call(`PractitionerRole/${reports.id}/$reactivate-function`, 'adminA', post());
    expect(on.status).to.equal(200);
    expect((await report()).status).to.equal(200);
  });

  it('a whole account is deactivated by its holder: every function off, its token and its login refused', async () => {
    expect((await call(`Practitioner/${newcomer}`, 'newcomer')).status).to.equal(200);
    // Another organisation's admin may not; the person may.
    expect((await call(`Practitioner/${newcomer}/$deactivate-account`, 'elsewhere', post())).status).to.equal(
      403,
    );
    const off = await call(`Practitioner/${newcomer}/$deactivate-account`, 'newcomer', post());
    expect(off.status, JSON.stringify(off.body)).to.equal(200);
    expect(off.body.active).to.equal(false);
    for (const r of newRoles) expect((await read(`PractitionerRole/${r.id}`)).active).to.equal(false);
    // The token held is refused on its next request, and a new login is refused (password, dev login).
    expect((await call(`Practitioner/${newcomer}`, 'newcomer')).status).to.equal(401);
    // Their SMART sessions, grants and tokens are gone, not merely refused.
    const kept = await server.app.db
      .knex('oauth_store')
      .whereRaw(`payload->>'accountId' = ?`, [`Practitioner/${newcomer}`])
      .count({ n: '*' });
    expect(Number(kept[0]!.n)).to.equal(0);
    expect((await passwordLogin('nieuw@example.org', PASSWORD)).status).to.equal(401);
    let failed: unknown;
    await personToken(server, `Practitioner/${newcomer}`).catch((err: unknown) => (failed = err));
    expect(failed).to.be.instanceOf(Error);
    // A function of a deactivated account is not switched on alone; the account comes back first.
    const gp = newRoles.find((r) => codeOf(r) === 'gp')!;
    expect((await call(`PractitionerRole/${gp.id}/$reactivate-function`, 'boss', post())).status).to.equal(
      409,
    );
    expect((await call(`Practitioner/${newcomer}/$reactivate-account`, 'elsewhere', post())).status).to.equal(
      403,
    );
    const back = await call(`Practitioner/${newcomer}/$reactivate-account`, 'boss', post());
    expect(back.status).to.equal(200);
    expect((await call(`PractitionerRole/${gp.id}/$reactivate-function`, 'boss', post())).status).to.equal(
      200,
    );
    const again = await passwordLogin('nieuw@example.org', PASSWORD);
    expect(again.status).to.equal(200);
    tokens.newcomer = again.token!;
    expect((await call(`Practitioner/${newcomer}`, 'newcomer')).status).to.equal(200);
  });

  it('an admin deactivates a whole account only when they manage every active role of the person, at any organisation', async () => {
    await putResources(server, [
      person('dual', 'Dirk', 'Dubbel'),
      role('dual-gp', 'dual', 'zkh', 'gp'),
      // A role elsewhere that is no platform function: the same login reaches it.
      [
        'PractitionerRole',
        'dual-other',
        {
          active: true,
          practitioner: { reference: 'Practitioner/dual' },
          organization: { reference: 'Organization/other' },
          code: [{ coding: [{ system: 'http://snomed.info/sct', code: '158965000' }] }],
        },
      ],
      person('solo', 'Sara', 'Solo'),
      role('solo-gp', 'solo', 'zkh', 'gp'),
    ]);
    tokens.dual = await personToken(server, 'Practitioner/dual');
    const refused = await call('Practitioner/dual/$deactivate-account', 'boss', {
      ...post(),
      headers: { 'accept-language': 'nl' },
    });
    expect(refused.status).to.equal(403);
    expect(diagnostics(refused.body)).to.contain('$deactivate-function').and.contain('niet beheert');
    expect((await read('Practitioner/dual')).active).to.equal(true);
    expect((await read('PractitionerRole/dual-other')).active).to.equal(true);
    expect((await call('Practitioner/dual', 'dual')).status).to.equal(200);
    // The function at the admin's organisation is theirs to switch off; the person keeps the rest.
    expect((await call('PractitionerRole/dual-gp/$deactivate-function', 'boss', post())).status).to.equal(
      200,
    );
    expect((await call('Practitioner/dual', 'dual')).status).to.equal(200);
    // Once the other role is inactive too, the admin answers for all that is left.
    const other = await read('PractitionerRole/dual-other');
    const put = await server.fetch('PractitionerRole/dual-other', {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ ...other, active: false }),
    });
    expect(put.status).to.equal(200);
    expect((await call('Practitioner/dual/$deactivate-account', 'boss', post())).status).to.equal(200);
    // A person with functions at the admin's organisation only: the admin may.
    const solo = await call('Practitioner/solo/$deactivate-account', 'boss', post());
    expect(solo.status, JSON.stringify(solo.body)).to.equal(200);
    expect(solo.body.active).to.equal(false);
  });
});
