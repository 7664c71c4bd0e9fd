import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { diagnostics, EN, ids, out, portalWorld } from '../support/portal-world.ts';

const SECOND = 1000;

/**
 * Seed 004, "3.1 Sessiecodes": an e-mail account's login opens each online service with a
 * single-use code by e-mail, valid a short time, only in the login session that asked, void when
 * a new one is asked; requests and wrong tries are limited. The record itself is such a service:
 * until its code is entered, the linked patient's own data is refused.
 */
describe('Patient portal: session codes', function () {
  this.timeout(180_000);
  // The server's secret (SMART_COOKIE_KEYS), which also keys the codes' hashes.
  const world = portalWorld({ smart: { devLogin: true, cookieKeys: ['het geheim van deze server'] } });
  const { clock } = world;
  before(() => world.start());
  after(() => world.close());

  const email = 'ellen@example.nl';
  let a: string;
  let b: string;

  before(async () => {
    const person = await world.registerAndConfirm(email);
    expect((await world.link('assistent', person, 'Patient/bob', '111222345', email)).status).to.equal(200);
    a = await world.logIn(email);
    b = await world.logIn(email);
  });

  const record = (token: string) => world.call('Patient/bob', token, { headers: EN });
  // Each test asks in a request window of its own (at most 5 requests per 10 minutes).
  beforeEach(() => {
    clock.now += 601 * SECOND;
  });

  it('the record opens with a session code from the e-mail: the own data readable, nobody else’s, the code used once', async () => {
    const closed = await record(a);
    expect(closed.status).to.equal(403);
    expect(diagnostics(closed.body)).to.match(/needs a session code/);
    expect((await world.call('Observation?subject=Patient/bob', a)).status).to.equal(403);

    const before = world.smtp.messages.length;
    const asked = await world.sessionCode(a);
    expect(asked.status, JSON.stringify(asked.body)).to.equal(200);
    expect(out(asked.body, 'sentTo').valueString).to.equal('e…@example.nl');
    expect(out(asked.body, 'expires').valueInstant).to.equal(
      new Date(clock.now + 300 * SECOND).toISOString(),
    );
    const mail = await world.mailTo(email, before, /sessiecode/);
    expect(mail.text)
      .to.match(/sessiecode voor uw medische gegevens is \d{6}/)
      .and.not.contain('Hemoglobine');
    const code = /\b(\d{6})\b/.exec(mail.text!)![1]!;

    const opened = await world.openService(a, code);
    expect(opened.status, JSON.stringify(opened.body)).to.equal(200);
    expect(out(opened.body, 'openUntil').valueInstant).to.equal(
      new Date(clock.now + 1800 * SECOND).toISOString(),
    );
    expect((await record(a)).status).to.equal(200);
    expect(ids((await world.call('Observation?subject=Patient/bob', a)).body)).to.deep.equal([
      'Observation/bob-hb',
    ]);
    expect(ids((await world.call('Patient/bob/$everything', a)).body)).to.include('Encounter/bob-consult');
    expect((await world.call('Patient/anna', a)).status).to.equal(404);

    const twice = await world.openService(a, code);
    expect(twice.status).to.equal(403);
    expect(diagnostics(twice.body)).to.match(/wrong, expired or used/);
  });

  it('a code works only in the session that asked for it: the same account’s other login is refused', async () => {
    const code = await world.codeFor(a, email);
    const elsewhere = await world.openService(b, code);
    expect(elsewhere.status).to.equal(403);
    expect((await record(b)).status).to.equal(403);
    // Session A still opens with it (one wrong try of three).
    expect((await world.openService(a, code)).status).to.equal(200);
    expect((await record(b)).status).to.equal(403);
  });

  it('asking again voids the previous code, whatever its service', async () => {
    const first = await world.codeFor(b, email);
    const second = await world.codeFor(b, email, 'econsult');
    const third = await world.codeFor(b, email);
    expect((await world.openService(b, first)).status).to.equal(403);
    expect((await world.openService(b, second, 'econsult')).status).to.equal(403);
    expect((await world.openService(b, third)).status).to.equal(200);
    expect((await record(b)).status).to.equal(200);
  });

  it('a code for one service does not open another', async () => {
    const code = await world.codeFor(a, email, 'prescriptions');
    expect((await world.openService(a, code, 'appointments')).status).to.equal(403);
  });

  it('a code expires after PRACTICE_SESSION_CODE_SECONDS (300)', async () => {
    const code = await world.codeFor(a, email, 'econsult');
    clock.now += 301 * SECOND;
    expect((await world.openService(a, code, 'econsult')).status).to.equal(403);
  });

  it('three wrong tries void the code', async () => {
    const code = await world.codeFor(a, email, 'appointments');
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 3; i++)
      expect((await world.openService(a, wrong, 'appointments')).status).to.equal(403);
    expect((await world.openService(a, code, 'appointments')).status).to.equal(403);
  });

  it('an opened service closes after PRACTICE_SERVICE_OPEN_SECONDS (1800)', async () => {
    expect((await world.openService(b, await world.codeFor(b, email))).status).to.equal(200);
    clock.now += 1799 * SECOND;
    expect((await record(b)).status).to.equal(200);
    clock.now += 2 * SECOND;
    expect((await record(b)).status).to.equal(403);
  });

  it('the server keeps only a hash of the code keyed with its secret: a copy of the database does not give the code away', async () => {
    const code = await world.codeFor(a, email, 'econsult');
    const row = (await world.server.app.db
      .knex('portal_session_code')
      .where({ service: 'econsult' })
      .first()) as { person: string; session: string; service: string; code_hash: string };
    const unkeyed = (c: string) =>
      createHash('sha256').update(`${row.person}\n${row.session}\n${row.service}\n${c}`).digest('hex');
    expect(row.code_hash).to.not.equal(unkeyed(code));
    expect((await world.openService(a, code, 'econsult')).status).to.equal(200);
  });

  it('at most 5 code requests per account in 10 minutes: the sixth is 429 with Retry-After', async () => {
    for (let i = 0; i < 5; i++) expect((await world.sessionCode(a, 'prescriptions')).status).to.equal(200);
    clock.now += 60 * SECOND;
    const res = await world.server.fetch('$session-code', {
      method: 'POST',
      headers: { authorization: a, 'content-type': 'application/fhir+json', ...EN },
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [{ name: 'service', valueCode: 'record' }],
      }),
    });
    expect(res.status).to.equal(429);
    expect(res.headers.get('retry-after')).to.equal('540');
    expect(JSON.stringify(await res.json())).to.match(/Too many session codes/);
    // The other login of the account is the same account.
    expect((await world.sessionCode(b)).status).to.equal(429);
    clock.now += 541 * SECOND;
    expect((await world.sessionCode(a)).status).to.equal(200);
  });

  it('session codes are refused to an account not linked yet, and to logins that need none', async () => {
    await world.registerAndConfirm('frits@example.nl');
    const unlinked = await world.logIn('frits@example.nl');
    const asked = await world.sessionCode(unlinked);
    expect(asked.status).to.equal(403);
    expect(diagnostics(asked.body)).to.match(/not linked/);
    const staff = await world.sessionCode('assistent');
    expect(staff.status).to.equal(409);
    expect(diagnostics(staff.body)).to.match(/this login needs none/);
    const bad = await world.sessionCode(a, 'everything');
    expect(bad.status).to.equal(400);
  });
});
