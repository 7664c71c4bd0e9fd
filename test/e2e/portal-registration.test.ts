import { expect } from 'chai';
import {
  confirmLinkIn,
  diagnostics,
  EN,
  HOUR,
  ids,
  PASSWORD,
  PORTAL_TAG,
  portalWorld,
  type Json,
} from '../support/portal-world.ts';

/**
 * Seed 004, "Registreren" by e-mail: an account with e-mail and password, a confirmation link
 * valid 24 hours on the server's clock, one patient per address (a second registration answered
 * exactly as a first), the practice told, and nothing medical until the practice links it.
 */
describe('Patient portal: registration by e-mail', function () {
  this.timeout(120_000);
  const world = portalWorld();
  const { clock, mailTo } = world;
  before(() => world.start());
  after(() => world.close());

  let anna: string;
  let annaToken: string;

  it('a registration answers "check your mail" and mails a link valid 24 hours; the link shows what it confirms', async () => {
    const before = world.smtp.messages.length;
    const made = await world.register('Anna@Example.nl', 'linde', PASSWORD, 'Anna Jansen');
    expect(made.status, JSON.stringify(made.body)).to.equal(202);
    expect(made.body.status).to.equal('check-your-mail');
    expect(made.body.expires).to.equal(new Date(clock.now + 24 * HOUR).toISOString());
    const mail = await mailTo('anna@example.nl', before, /Bevestig/);
    expect(mail.text).to.contain('Huisartsenpraktijk De Linde');
    const shown = await world.page(confirmLinkIn(mail));
    expect(shown.status).to.equal(200);
    expect(shown.body).to.deep.include({ email: 'anna@example.nl' });
    expect(shown.body.practice.reference).to.equal('Organization/linde');
  });

  it('confirming a minute before the 24 hours end makes the account; the practice is told; it logs in with its password', async () => {
    const mail = await mailTo('anna@example.nl', 0, /Bevestig/);
    clock.now += 24 * HOUR - 60_000;
    const wrong = await world.page(confirmLinkIn(mail), { password: 'niet het goede wachtwoord hoor' });
    expect(wrong.status).to.equal(400);
    expect(diagnostics(wrong.body)).to.match(/not the password you chose/);
    const before = world.smtp.messages.length;
    const done = await world.page(confirmLinkIn(mail), { password: PASSWORD });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    anna = done.body.person;
    expect(anna).to.match(/^Person\//);
    const notice = await mailTo('praktijk@linde.test', before);
    expect(notice.subject).to.match(/wacht op koppeling/);
    expect(notice.text).to.contain(anna).and.contain('$link-patient');
    // The link is used up.
    expect((await world.page(confirmLinkIn(mail), { password: PASSWORD })).status).to.equal(404);

    annaToken = await world.logIn('anna@example.nl');
    const own = await world.call(anna, annaToken);
    expect(own.status).to.equal(200);
    expect(own.body.telecom).to.deep.equal([{ system: 'email', value: 'anna@example.nl' }]);
    expect(own.body.managingOrganization.reference).to.equal('Organization/linde');
    expect(own.body.meta.tag).to.deep.include({ system: PORTAL_TAG, code: 'email' });
    expect(own.body.link).to.equal(undefined);
  });

  it('after 24 hours the link is refused, saying how to start again; registering again with the address then works', async () => {
    const before = world.smtp.messages.length;
    expect((await world.register('bert@example.nl')).status).to.equal(202);
    const link = confirmLinkIn(await mailTo('bert@example.nl', before, /Bevestig/));
    clock.now += 24 * HOUR + 60_000;
    const late = await world.page(link);
    expect(late.status).to.equal(410);
    expect(diagnostics(late.body)).to.match(
      /expired\. Start again: register at http.*\/portal\/register\?practice=linde/,
    );
    const html = await fetch(link, { headers: EN });
    expect(html.status).to.equal(410);
    expect(await html.text()).to.contain('/portal/register?practice=linde');
    expect((await world.page(link, { password: PASSWORD })).status).to.equal(410);

    const again = world.smtp.messages.length;
    expect((await world.register('bert@example.nl')).status).to.equal(202);
    const fresh = confirmLinkIn(await mailTo('bert@example.nl', again, /Bevestig/));
    expect(fresh).to.not.equal(link);
    const done = await world.page(fresh, { password: PASSWORD });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
  });

  it('a second registration with an address that has an account is answered exactly as a fresh one; only its owner hears of it', async () => {
    const before = world.smtp.messages.length;
    const taken = await world.register('ANNA@example.nl', 'linde', 'een heel ander wachtwoord van iemand');
    const fresh = await world.register('nieuw@example.nl', 'linde', 'een heel ander wachtwoord van iemand');
    expect(taken.status).to.equal(fresh.status).and.equal(202);
    expect(taken.body).to.deep.equal(fresh.body);
    expect([...taken.headers.keys()].sort()).to.deep.equal([...fresh.headers.keys()].sort());
    const told = await mailTo('anna@example.nl', before);
    expect(told.subject).to.match(/Poging tot registratie/);
    expect(told.text).to.contain('/oauth/password/forgot');
    await mailTo('nieuw@example.nl', before, /Bevestig/);
    // No link for a second account; a third try within the hour tells the owner nothing more.
    expect((await world.register('anna@example.nl')).status).to.equal(202);
    await new Promise((r) => setTimeout(r, 1500));
    const toAnna = world.smtp.messages
      .slice(before)
      .filter((m) => m.to && JSON.stringify(m.to).includes('anna@example.nl'));
    expect(toAnna.map((m) => m.subject)).to.have.length(1);
    // Her password is still hers.
    expect(await world.logIn('anna@example.nl')).to.match(/^Bearer /);
  });

  it('strangers registering an address cannot lock its owner out: each new registration ends the oldest waiting one, and all are answered alike', async () => {
    const address = 'carla@example.nl';
    const links: string[] = [];
    const answers: Json[] = [];
    for (const password of [
      'een vreemde zet dit wachtwoord',
      'nog een vreemde met een ander',
      'de derde vreemde die het probeert',
    ]) {
      const before = world.smtp.messages.length;
      const made = await world.register(address, 'linde', password);
      answers.push(made);
      links.push(confirmLinkIn(await mailTo(address, before, /Bevestig/)));
    }
    // Three wait (PRACTICE_PENDING_PER_ADDRESS); the owner's registration still gets its link.
    const before = world.smtp.messages.length;
    const owner = await world.register(address);
    answers.push(owner);
    const mine = confirmLinkIn(await mailTo(address, before, /Bevestig/));
    for (const a of answers) {
      expect(a.status).to.equal(202);
      expect(a.body).to.deep.equal(owner.body);
    }
    // The oldest stranger's link ended; the other two still wait, as does the owner's.
    expect((await world.page(links[0]!)).status).to.equal(404);
    expect((await world.page(links[1]!)).status).to.equal(200);
    expect((await world.page(links[2]!)).status).to.equal(200);
    const done = await world.page(mine, { password: PASSWORD });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    expect(await world.logIn(address)).to.match(/^Bearer /);
  });

  it('six registrations of one address at once: each is mailed its link, and only the newest three wait', async () => {
    const address = 'dirk@example.nl';
    const before = world.smtp.messages.length;
    const made = await Promise.all(Array.from({ length: 6 }, () => world.register(address)));
    expect(made.map((m) => m.status)).to.deep.equal([202, 202, 202, 202, 202, 202]);
    const deadline = Date.now() + 15_000;
    const mails = () => world.smtp.messages.slice(before).filter((m) => m.text?.includes('/portal/confirm/'));
    while (mails().length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const links = mails().map(confirmLinkIn);
    expect(links).to.have.length(6);
    const open = [];
    for (const link of links) open.push((await world.page(link)).status);
    expect(open.filter((s) => s === 200)).to.have.length(3);
    expect(open.filter((s) => s === 404)).to.have.length(3);
  });

  it('refuses, in the caller’s language, what a stranger may be told: a malformed address, a weak password, an unknown practice, another site’s form', async () => {
    const bad = await world.register('geen-adres');
    expect(bad.status).to.equal(400);
    expect(diagnostics(bad.body)).to.match(/e-mail address/);
    const weak = await world.page(
      '/portal/register',
      { email: 'zwak@example.nl', password: 'wachtwoord123', practice: 'linde' },
      { 'accept-language': 'nl' },
    );
    expect(weak.status).to.equal(400);
    expect(diagnostics(weak.body)).to.match(/wachtwoord/i);
    const nowhere = await world.register('ergens@example.nl', 'bestaat-niet');
    expect(nowhere.status).to.equal(400);
    expect(diagnostics(nowhere.body)).to.match(/no practice 'bestaat-niet'/);
    const forged = await world.page(
      '/portal/register',
      { email: 'x@example.nl', password: PASSWORD, practice: 'linde' },
      { origin: 'https://evil.example' },
    );
    expect(forged.status).to.equal(403);
    const form = await fetch(`${world.server.base}/portal/register?practice=linde`);
    expect(form.status).to.equal(200);
    expect(await form.text())
      .to.contain('Huisartsenpraktijk De Linde')
      .and.contain('name="password"');
  });

  it('a browser registers and confirms with the plain forms', async () => {
    const post = (url: string, form: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'nl' },
        body: new URLSearchParams(form).toString(),
      });
    const url = `${world.server.base}/portal/register`;
    const form = { email: 'gerda@example.nl', password: PASSWORD, practice: 'linde' };
    const differ = await post(url, { ...form, repeat: 'iets anders dan het wachtwoord' });
    expect(differ.status).to.equal(400);
    expect(await differ.text())
      .to.contain('De twee wachtwoorden zijn niet gelijk')
      .and.contain('name="email"');
    const before = world.smtp.messages.length;
    const sent = await post(url, { ...form, repeat: PASSWORD });
    expect(sent.status).to.equal(202);
    expect(await sent.text()).to.contain('Controleer uw e-mail');
    const link = confirmLinkIn(await mailTo('gerda@example.nl', before, /Bevestig/));
    const page = await fetch(link, { headers: { 'accept-language': 'nl' } });
    expect(page.headers.get('referrer-policy')).to.equal('no-referrer');
    expect(await page.text())
      .to.contain('gerda@example.nl')
      .and.contain('name="password"');
    const wrong = await post(link, { password: 'verkeerd wachtwoord voor deze link' });
    expect(wrong.status).to.equal(400);
    expect(await wrong.text()).to.contain('niet het wachtwoord dat u bij de registratie koos');
    const done = await post(link, { password: PASSWORD });
    expect(done.status).to.equal(201);
    expect(await done.text())
      .to.contain('Gefeliciteerd')
      .and.contain('nog niet gekoppeld');
  });

  it('before linking the account sees nothing medical: every patient type is refused, and no search path reaches one', async () => {
    const refused = async (path: string) => {
      const res = await world.call(path, annaToken, { headers: EN });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.equal(403);
      expect(diagnostics(res.body), path).to.match(
        /not linked to your medical record yet: call the practice/,
      );
    };
    await refused('Patient/anna');
    await refused('Patient?name=Jansen');
    await refused('Observation?subject=Patient/anna');
    await refused('Patient/anna/$everything');
    await refused('Patient/anna/_history');
    await refused('Observation/anna-hb/_history');
    await refused('AuditEvent?patient=Patient/anna');
    await refused('Patient/anna/Observation');

    const found = async (path: string) => {
      const res = await world.call(path, annaToken);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.equal(200);
      return ids(res.body);
    };
    // Includes, reverse includes, _has and chains: only its own Person and the directory.
    expect(await found(`Person?_include=Person:link&_revinclude:iterate=Observation:subject`)).to.deep.equal([
      anna,
    ]);
    expect(await found(`Organization?_id=linde&_revinclude=Patient:general-practitioner`)).to.deep.equal([
      'Organization/linde',
    ]);
    expect(await found(`Organization?_has:Observation:performer:_id=anna-hb`)).to.deep.equal([]);
    expect(await found(`Person?link:Patient.name=Jansen`)).to.deep.equal([]);
    expect(await found(`?_type=Observation,Patient,Encounter`)).to.deep.equal([]);
    const everyType = await world.call('_history', annaToken);
    expect(everyType.status).to.be.within(400, 499);
    // Another account is answered as a missing one.
    const other = await world.call('Person?_count=50', annaToken);
    expect(ids(other.body)).to.deep.equal([anna]);
    // It changes nothing, not even its own Person.
    const own = (await world.call(anna, annaToken)).body as Json;
    const put = await world.call(anna, annaToken, {
      method: 'PUT',
      body: JSON.stringify({ ...own, link: [{ target: { reference: 'Patient/anna' } }] }),
    });
    expect(put.status).to.equal(403);
  });

  it("the practice's staff see its registrations waiting for linking; another practice's staff see none", async () => {
    const waiting = 'Person?organization=Organization/linde&link:missing=true';
    const mine = await world.call(waiting, 'assistent');
    expect(mine.status).to.equal(200);
    expect(ids(mine.body)).to.include(anna);
    expect((await world.call(anna, 'huisarts')).status).to.equal(200);
    const theirs = await world.call(waiting, 'vreemde');
    expect(theirs.status).to.equal(200);
    expect(ids(theirs.body)).to.deep.equal([]);
    expect((await world.call(`Person?_tag=${PORTAL_TAG}|`, 'vreemde')).body.total ?? 0).to.equal(0);
    const hidden = await world.call(anna, 'vreemde');
    const missing = await world.call('Person/bestaat-niet', 'vreemde');
    expect(hidden.status).to.equal(404);
    expect(missing.status).to.equal(404);
    // Staff do not link by a plain write either.
    const own = (await world.call(anna, 'assistent')).body as Json;
    const put = await world.call(anna, 'assistent', {
      method: 'PUT',
      body: JSON.stringify({ ...own, link: [{ target: { reference: 'Patient/anna' } }] }),
    });
    expect(put.status).to.equal(403);
  });
});
