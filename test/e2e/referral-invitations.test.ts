import { expect } from 'chai';
import { auditorOf } from '../support/auditor.ts';
import type { TestServer } from '../support/harness.ts';
import {
  accountsWorld,
  AGB,
  BIG,
  CLUSTER,
  DAY,
  diagnostics,
  EN,
  invite,
  linkIn,
  out,
  partOf,
  PASSWORD,
  post,
  VERIFIED,
  type Json,
} from '../support/referral-accounts.ts';

describe('referral accounts: invitations by mail, the link, expiry and resend (seed 003)', function () {
  this.timeout(180_000);
  const world = accountsWorld();
  const { call, read, mailTo, accept, passwordLogin, tokens, clock } = world;
  let server: TestServer;
  let smtp: typeof world.smtp;
  before(async () => {
    await world.start();
    server = world.server;
    smtp = world.smtp;
  });
  after(() => world.close());

  let newcomer: string;
  let newRoles: Json[];
  let firstLink: string;

  it('invite → mail → the link → a new account with one unverified function per invited one; the admin is told', async () => {
    const made = await call(
      'Organization/zkh/$invite-colleague',
      'boss',
      invite(
        'Nieuw@Example.org',
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
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    expect(out(made.body, 'expires').valueInstant).to.equal(new Date(clock.now + 7 * DAY).toISOString());
    const mail = await mailTo('nieuw@example.org');
    expect(mail.text).to.contain('Ziekenhuis Rijnstad').and.contain('huisarts').and.contain('Bea Baas');
    firstLink = linkIn(mail);
    expect(firstLink.startsWith(server.publicBase)).to.equal(true);
    // The token is not what is stored: the table holds its hash only.
    const token = firstLink.split('/').pop()!;
    const rows = await server.app.db.knex('function_invitation').select('token_hash');
    expect(JSON.stringify(rows)).not.to.contain(token);

    const page = await fetch(firstLink, { headers: { accept: 'text/html', 'accept-language': 'nl' } });
    expect(page.status).to.equal(200);
    expect(page.headers.get('cache-control')).to.equal('no-store');
    expect(page.headers.get('referrer-policy')).to.equal('no-referrer');
    const html = await page.text();
    expect(html)
      .to.contain('<form method="post">')
      .and.contain('Ziekenhuis Rijnstad')
      .and.contain('huisarts')
      .and.contain('name="password"');

    // A weak password, a wrong BIG number or mobile are refused, and the link still works.
    const weak = await accept(firstLink, { given: 'Nina', family: 'Nieuw', password: 'welkom' }, EN);
    expect(weak.status).to.equal(400);
    const wrong = await accept(
      firstLink,
      { given: 'Nina', family: 'Nieuw', big: '123', mobile: 'x', password: PASSWORD },
      EN,
    );
    expect(wrong.status).to.equal(400);
    expect(diagnostics(wrong.body)).to.contain('BIG number of 11 digits').and.contain('mobile number');
    // Without a mobile number the login's one-time codes come by e-mail.
    const done = await accept(firstLink, {
      given: 'Nina',
      family: 'Nieuw',
      big: '12345678901',
      password: PASSWORD,
    });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    newcomer = done.body.practitioner.split('/')[1];
    const practitioner = await read(`Practitioner/${newcomer}`);
    expect(practitioner.active).to.equal(true);
    expect(practitioner.identifier).to.deep.equal([{ system: BIG, value: '12345678901' }]);
    newRoles = await Promise.all(done.body.roles.map((r: string) => read(r)));
    const byCode = Object.fromEntries(newRoles.map((r) => [r.code[0].coding[0].code, r]));
    expect(Object.keys(byCode).sort()).to.deep.equal(['admin-reports', 'gp']);
    expect(byCode.gp.identifier).to.deep.equal([{ system: AGB, value: '01234567' }]);
    expect(byCode.gp.extension).to.equal(undefined); // a care function is bound to no cluster
    expect(byCode['admin-reports'].extension).to.deep.equal([
      { url: CLUSTER, valueReference: { reference: 'Organization/zkh-a' } },
    ]);
    for (const r of newRoles) {
      expect(r.active).to.equal(true);
      expect(r.organization.reference).to.equal('Organization/zkh');
      expect(r.telecom).to.deep.equal([{ system: 'email', value: 'nieuw@example.org', use: 'work' }]);
      expect(JSON.stringify(r)).not.to.contain(VERIFIED);
    }
    // The new person logs in with the password they chose and a one-time code.
    const login = await passwordLogin('nieuw@example.org', PASSWORD);
    expect(login.status).to.equal(200);
    tokens.newcomer = login.token!;
    const me = await call(`Practitioner/${newcomer}`, 'newcomer');
    expect(me.status).to.equal(200);
    const notice = await mailTo('bea@zkh.test');
    expect(notice.text).to.contain(`${server.publicBase}/Practitioner/${newcomer}`).and.contain('Nina Nieuw');
    // The changes are in the access log, made by the new person (the link is their login).
    const events = await (await auditorOf(server)).search(`agent=Practitioner/${newcomer}`);
    expect(events.map((e) => e.action)).to.include('C');

    const list = await call('Organization/zkh/$invitations', 'boss');
    expect(list.status).to.equal(200);
    const entry = list.body.parameter[0];
    expect(partOf(entry, 'status').valueCode).to.equal('accepted');
    expect(partOf(entry, 'person').valueReference.reference).to.equal(`Practitioner/${newcomer}`);
    expect(partOf(entry, 'invitedBy').valueReference).to.deep.equal({
      reference: 'Practitioner/boss',
      display: 'Bea Baas',
    });
  });

  it('a used link, an unknown one and a malformed one are refused with how to get a new invitation', async () => {
    const again = await accept(firstLink, { given: 'X', family: 'Y' }, { 'accept-language': 'en' });
    expect(again.status).to.equal(410);
    expect(diagnostics(again.body)).to.contain('used already');
    const unknown = await fetch(`${server.base}/accounts/invitations/${'A'.repeat(43)}`, {
      headers: { 'accept-language': 'nl' },
    });
    expect(unknown.status).to.equal(404);
    expect(await unknown.text()).to.contain('vraag de verantwoordelijk beheerder');
    const malformed = await fetch(`${server.base}/accounts/invitations/x'%3Cscript%3E`);
    expect(malformed.status).to.equal(404);
    expect(await malformed.text()).not.to.contain('<script>');
  });

  it('an invitation expires after 7 days on the server clock; a resend gives a new link and the old one stops working', async () => {
    const start = smtp.messages.length;
    const made = await call(
      'Organization/zkh/$invite-colleague',
      'boss',
      invite('later@example.org', ['specialist']),
    );
    expect(made.status).to.equal(201);
    const id = out(made.body, 'invitation').valueString;
    const oldLink = linkIn(await mailTo('later@example.org', start));
    clock.now += 7 * DAY - 60_000; // a minute before the end it still works
    expect((await fetch(oldLink, { headers: { accept: 'application/json' } })).status).to.equal(200);
    clock.now += 120_000;
    const expired = await fetch(oldLink, {
      headers: { accept: 'application/json', 'accept-language': 'en' },
    });
    expect(expired.status).to.equal(410);
    expect(diagnostics(await expired.json()))
      .to.contain('expired')
      .and.contain('send the invitation again');
    const list = await call('Organization/zkh/$invitations', 'boss');
    const mine = list.body.parameter.find((p: Json) => partOf(p, 'id').valueString === id);
    expect(partOf(mine, 'status').valueCode).to.equal('expired');

    const before = smtp.messages.length;
    const resent = await call(
      'Organization/zkh/$resend-invitation',
      'boss2',
      post([{ name: 'invitation', valueString: id }]),
    );
    expect(resent.status, JSON.stringify(resent.body)).to.equal(200);
    expect(out(resent.body, 'expires').valueInstant).to.equal(new Date(clock.now + 7 * DAY).toISOString());
    const newLink = linkIn(await mailTo('later@example.org', before));
    expect(newLink).not.to.equal(oldLink);
    expect((await fetch(oldLink, { headers: { accept: 'application/json' } })).status).to.equal(404);
    const done = await accept(newLink, { given: 'Lotte', family: 'Later', password: PASSWORD });
    expect(done.status).to.equal(201);
    const listed = await call('Organization/zkh/$invitations', 'boss');
    const accepted = listed.body.parameter.find((p: Json) => partOf(p, 'id').valueString === id);
    expect(partOf(accepted, 'status').valueCode).to.equal('accepted');
    expect(partOf(accepted, 'invitedBy').valueReference.reference).to.equal('Practitioner/boss2');
    // An accepted invitation is not sent again; another organisation's is not there.
    expect(
      (
        await call(
          'Organization/zkh/$resend-invitation',
          'boss',
          post([{ name: 'invitation', valueString: id }]),
        )
      ).status,
    ).to.equal(409);
    expect(
      (
        await call(
          'Organization/other/$resend-invitation',
          'elsewhere',
          post([{ name: 'invitation', valueString: id }]),
        )
      ).status,
    ).to.equal(404);
  });

  it('a responsible admin acts only on their clusters and organisation; bad invitations are refused saying why', async () => {
    const intoB = await call(
      'Organization/zkh/$invite-colleague',
      'adminA',
      invite('b@example.org', ['admin-care-products'], ['zkh-b']),
    );
    expect(intoB.status).to.equal(403);
    const whole = await call(
      'Organization/zkh/$invite-colleague',
      'adminA',
      invite('w@example.org', ['admin-care-products']),
    );
    expect(whole.status).to.equal(403);
    const intoA = await call(
      'Organization/zkh/$invite-colleague',
      'adminA',
      invite('a@example.org', ['admin-care-products'], ['zkh-a']),
    );
    expect(intoA.status).to.equal(201);
    const foreignCluster = await call(
      'Organization/zkh/$invite-colleague',
      'boss',
      invite('f@example.org', ['admin-documents'], ['other-a']),
    );
    expect(foreignCluster.status).to.equal(422);
    expect(diagnostics(foreignCluster.body)).to.contain('other-a');
    const otherOrg = await call(
      'Organization/other/$invite-colleague',
      'boss',
      invite('o@example.org', ['gp']),
    );
    expect(otherOrg.status).to.equal(403);
    const responsible = await call(
      'Organization/zkh/$invite-colleague',
      'boss',
      invite('r@example.org', ['admin-responsible']),
    );
    expect(responsible.status).to.equal(403);
    const badMail = await call('Organization/zkh/$invite-colleague', 'boss', {
      ...invite('not-an-address', ['gp']),
      headers: { 'accept-language': 'nl' },
    });
    expect(badMail.status).to.equal(400);
    expect(diagnostics(badMail.body)).to.contain('e-mailadres');
    expect(
      (await call('Organization/zkh/$invite-colleague', 'boss', invite('n@example.org', []))).status,
    ).to.equal(400);
    expect(
      (await call('Organization/zkh/$invite-colleague', 'boss', invite('n@example.org', ['surgeon']))).status,
    ).to.equal(400);
    const agbOnAdmin = await call(
      'Organization/zkh/$invite-colleague',
      'boss',
      invite('n@example.org', [
        {
          part: [
            { name: 'code', valueCode: 'admin-documents' },
            { name: 'agb', valueString: '01234567' },
          ],
        },
      ]),
    );
    expect(agbOnAdmin.status).to.equal(400);
    // A practitioner without the function, and a system client, invite nobody.
    expect(
      (
        await call(
          'Organization/zkh/$invite-colleague',
          server.authorization!,
          invite('s@example.org', ['gp']),
        )
      ).status,
    ).to.equal(403);
    // Cluster A's admin sees invitations into cluster A (and to care functions), not into B.
    const intoBByBoss = await call(
      'Organization/zkh/$invite-colleague',
      'boss',
      invite('bee@example.org', ['admin-documents'], ['zkh-b']),
    );
    expect(intoBByBoss.status).to.equal(201);
    const listA = await call('Organization/zkh/$invitations', 'adminA');
    const emails = listA.body.parameter.map((p: Json) => partOf(p, 'email').valueString);
    expect(emails).to.include.members(['a@example.org', 'nieuw@example.org', 'later@example.org']);
    expect(emails).not.to.include('bee@example.org');
    const listAll = await call('Organization/zkh/$invitations', 'boss');
    expect(listAll.body.parameter.map((p: Json) => partOf(p, 'email').valueString)).to.include(
      'bee@example.org',
    );
    // Nor may cluster A's admin send it again.
    const beeId = out(intoBByBoss.body, 'invitation').valueString;
    expect(
      (
        await call(
          'Organization/zkh/$resend-invitation',
          'adminA',
          post([{ name: 'invitation', valueString: beeId }]),
        )
      ).status,
    ).to.equal(403);
  });

  it("the link's HTML form: a post another site makes is refused; the invitee's own makes the account", async () => {
    const start = smtp.messages.length;
    await call('Organization/zkh/$invite-colleague', 'boss', invite('form@example.org', ['midwife']));
    const link = linkIn(await mailTo('form@example.org', start));
    const form = (headers: Record<string, string> = {}) =>
      fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'nl', ...headers },
        body: new URLSearchParams({ given: 'Femke', family: 'Formulier', password: PASSWORD }).toString(),
      });
    const forged = await form({ 'sec-fetch-site': 'cross-site' });
    expect(forged.status).to.equal(403);
    expect(await forged.text()).to.contain('andere site');
    const made = await form({ 'sec-fetch-site': 'same-origin' });
    expect(made.status).to.equal(201);
    expect(made.headers.get('content-type')).to.match(/^text\/html/);
    expect(await made.text()).to.contain('Uw account is actief');
    const list = await call('Organization/zkh/$persons', 'boss');
    expect(JSON.stringify(list.body)).to.contain('Femke Formulier');
  });

  it('a failed accept leaves the link working: the password login made before the transaction is removed', async () => {
    const start = smtp.messages.length;
    await call('Organization/zkh/$invite-colleague', 'boss', invite('faal@example.org', ['gp']));
    const link = linkIn(await mailTo('faal@example.org', start));
    const knex = server.app.db.knex;
    // The database refuses the Practitioner (as a full disk or a broken constraint would), after
    // the password login was made.
    await knex.raw(`create or replace function test_refuse_practitioner() returns trigger as $$
      begin
        if new.resource_type = 'Practitioner' and new.content like '%Faalsma%' then
          raise exception 'refused by the test';
        end if;
        return new;
      end $$ language plpgsql`);
    await knex.raw(
      'create trigger test_refuse_practitioner before insert on resource for each row execute function test_refuse_practitioner()',
    );
    let failed: { status: number; body: Json };
    try {
      failed = await accept(link, { given: 'Frits', family: 'Faalsma', password: PASSWORD });
    } finally {
      await knex.raw('drop trigger test_refuse_practitioner on resource');
      await knex.raw('drop function test_refuse_practitioner()');
    }
    expect(failed.status).to.equal(500);
    expect(await knex('password_account').where({ login: 'faal@example.org' }).first()).to.equal(undefined);
    const retry = await accept(link, { given: 'Frits', family: 'Faalsma', password: PASSWORD });
    expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
    const account = await knex('password_account').where({ login: 'faal@example.org' }).first();
    expect(account.person).to.equal(retry.body.practitioner);
    expect(account.disabled_at).to.equal(null);
    expect((await passwordLogin('faal@example.org', PASSWORD)).status).to.equal(200);
  });

  it('an existing account is extended through a link by its holder, logged in', async () => {
    const start = smtp.messages.length;
    await call(
      'Organization/zkh/$invite-colleague',
      'boss',
      invite('anna@zkh.test', ['admin-preview'], ['zkh-a']),
    );
    const link = linkIn(await mailTo('anna@zkh.test', start));
    const done = await accept(link, {}, { authorization: tokens.adminA! });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.practitioner).to.equal('Practitioner/adminA');
    const made = await read(done.body.roles[0]);
    expect(made.practitioner.reference).to.equal('Practitioner/adminA');
    expect(made.code[0].coding[0].code).to.equal('admin-preview');
  });

  it('a logged-in account is extended only by an invitation to one of its own addresses', async () => {
    const start = smtp.messages.length;
    await call('Organization/zkh/$invite-colleague', 'boss', invite('vreemd@example.org', ['midwife']));
    const link = linkIn(await mailTo('vreemd@example.org', start));
    const foreign = await accept(link, {}, { authorization: tokens.adminA!, 'accept-language': 'nl' });
    expect(foreign.status).to.equal(403);
    expect(diagnostics(foreign.body)).to.contain('vreemd@example.org').and.contain('uw eigen adres');
    const roles = await call('PractitionerRole?practitioner=Practitioner/adminA', 'boss');
    expect(JSON.stringify(roles.body)).not.to.contain('midwife');
    expect((await fetch(link, { headers: { accept: 'application/json' } })).status).to.equal(200);
    // The password login's address (any case) is the account's own.
    const mine = smtp.messages.length;
    await call('Organization/zkh/$invite-colleague', 'boss', invite('NIEUW@example.org', ['midwife']));
    const own = await accept(
      linkIn(await mailTo('nieuw@example.org', mine)),
      {},
      {
        authorization: tokens.newcomer!,
      },
    );
    expect(own.status, JSON.stringify(own.body)).to.equal(200);
    expect(own.body.practitioner).to.equal(`Practitioner/${newcomer}`);
    // So is an address in the Practitioner's telecom.
    const anna = await read('Practitioner/adminA');
    await server.fetch('Practitioner/adminA', {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ ...anna, telecom: [{ system: 'email', value: 'Anna.Prive@example.org' }] }),
    });
    const prive = smtp.messages.length;
    await call('Organization/zkh/$invite-colleague', 'boss', invite('anna.prive@EXAMPLE.org', ['midwife']));
    const annas = await accept(
      linkIn(await mailTo('anna.prive@example.org', prive)),
      {},
      {
        authorization: tokens.adminA!,
      },
    );
    expect(annas.status, JSON.stringify(annas.body)).to.equal(200);
    expect(annas.body.practitioner).to.equal('Practitioner/adminA');
  });
});
