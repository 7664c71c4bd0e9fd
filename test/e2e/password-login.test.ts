import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { exportJWK, generateKeyPair } from 'jose';
import type { PasswordConfig } from '../../server/auth/password/config.ts';
import { hashPassword, verifyPassword } from '../../server/auth/password/hashing.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { auditorOf, LOGIN_SUBTYPE } from '../support/auditor.ts';
import { putResources, startTestServer, type TestServer } from '../support/harness.ts';
import {
  authorizeUrl,
  browse,
  CookieJar,
  exchangeCode,
  formAction,
  pkce,
  REDIRECT_URI,
  registerApp,
  tokenRequest,
  type AppClient,
} from '../support/smart-flow.ts';
import { addressOf, freePort, startSmtp } from '../support/smtp.ts';

type Json = Record<string, any>;
type Sms = { to: string; text: string };

/** An SMS gateway in the test: the server's SMS_WEBHOOK_URL, keeping every text it is sent. */
async function startSmsGateway() {
  const texts: Sms[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      texts.push(JSON.parse(body) as Sms);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/sms`,
    texts,
    /** The `n`th text (1-based) to `to`, waiting for it. */
    async nth(to: string, n: number, ms = 15_000): Promise<Sms> {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = texts.filter((t) => t.to === to)[n - 1];
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no text #${n} to ${to} within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    count: (to: string) => texts.filter((t) => t.to === to).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)![1]!;
const PASSWORD = 'paarse fiets onder de brug';
const SCOPE = 'openid fhirUser offline_access user/Practitioner.rs';
const ORG = { name: 'Huisartsenpraktijk De Linde' };

/** A server with password accounts for `ids`, an SMS gateway and a mail server, and a browser's steps. */
function passwordEnvironment(password: Partial<PasswordConfig>) {
  const env = {} as {
    server: TestServer;
    sms: Awaited<ReturnType<typeof startSmsGateway>>;
    smtp: Awaited<ReturnType<typeof startSmtp>>;
    app: AppClient;
    auditor: Awaited<ReturnType<typeof auditorOf>>;
  };

  const people: [string, string, object][] = [['Organization', 'linde', ORG]];
  for (const id of ['anna', 'bert', 'carla', 'dirk', 'eva', 'frank', 'gone', 'hanna', 'ines', 'joost']) {
    people.push(['Practitioner', id, { active: id !== 'gone', name: [{ family: id }] }]);
    people.push([
      'PractitionerRole',
      `${id}-gp`,
      {
        active: true,
        practitioner: { reference: `Practitioner/${id}` },
        organization: { reference: 'Organization/linde' },
      },
    ]);
  }
  people.push(['Practitioner', 'norole', { active: true }]);

  const ids = ['anna', 'bert', 'carla', 'dirk', 'eva', 'frank', 'gone', 'hanna', 'ines', 'joost', 'norole'];
  const mobileOf = (id: string) => `06${String(20_000_000 + ids.indexOf(id))}`;
  const loginOf = (id: string) => `${id}@linde.example`;

  before(async () => {
    env.sms = await startSmsGateway();
    env.smtp = await startSmtp(await freePort());
    const base = loadConfig({});
    const config: Partial<Config> = {
      sms: { webhookUrl: env.sms.url },
      mail: { smtpUrl: env.smtp.url, from: 'Zorgpoort <noreply@zorgpoort.test>', retryDelaySeconds: 1 },
      password: { ...base.password, ...password },
    };
    env.server = await startTestServer({}, { config });
    await putResources(env.server, people);
    for (const id of ids) {
      await env.server.app.passwordAccounts.create({
        login: loginOf(id),
        password: PASSWORD,
        person: `Practitioner/${id}`,
        // bert has no mobile: his codes come by e-mail.
        ...(id === 'bert' ? {} : { mobile: mobileOf(id) }),
      });
    }
    env.app = await registerApp(env.server, { scope: SCOPE });
    env.auditor = await auditorOf(env.server);
  });
  after(async () => {
    await env.server?.close();
    await env.sms?.close();
    await env.smtp?.close();
  });

  /** A browser at the login page of a new authorization. */
  async function loginPage() {
    const jar = new CookieJar();
    const { verifier, challenge } = pkce();
    const page = await browse(
      jar,
      authorizeUrl(env.server, env.app, {
        scope: SCOPE,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(page.text).to.contain('class="password-login"');
    return { jar, verifier, page, password: formAction(env.server, page.text, '/password') };
  }

  const submitPassword = (flow: Awaited<ReturnType<typeof loginPage>>, email: string, password = PASSWORD) =>
    browse(flow.jar, flow.password, { method: 'POST', form: { email, password } });

  const submitCode = (flow: Awaited<ReturnType<typeof loginPage>>, code: string) =>
    browse(flow.jar, flow.password.replace(/\/password$/, '/password-code'), {
      method: 'POST',
      form: { code },
      stopAt: REDIRECT_URI,
    });

  /** Allows the app on the consent page and trades the code for tokens. */
  async function consentAndTokens(flow: Awaited<ReturnType<typeof loginPage>>, consent: { text: string }) {
    const back = await browse(flow.jar, formAction(env.server, consent.text, '/confirm'), {
      method: 'POST',
      form: {},
      stopAt: REDIRECT_URI,
    });
    expect(back.url, back.text).to.match(new RegExp(`^${REDIRECT_URI}`));
    const token = await exchangeCode(
      env.server,
      env.app,
      new URL(back.url).searchParams.get('code'),
      flow.verifier,
    );
    expect(token.status, JSON.stringify(token.body)).to.equal(200);
    return token.body;
  }

  /** The whole login of `id` by SMS: returns the tokens. */
  async function logIn(id: string): Promise<Json> {
    const flow = await loginPage();
    const before = env.sms.count(mobileOf(id));
    const codePage = await submitPassword(flow, loginOf(id));
    expect(codePage.res.status, codePage.text).to.equal(200);
    const text = await env.sms.nth(mobileOf(id), before + 1);
    const consent = await submitCode(flow, codeIn(text.text));
    expect(consent.res.status, consent.text).to.equal(200);
    return consentAndTokens(flow, consent);
  }

  const logins = () => env.auditor.search(`subtype=${LOGIN_SUBTYPE}&_count=500&_sort=-date`);
  const method = (e: Json) =>
    e.subtype.find((s: Json) => s.system === 'http://zorgpoort.nl/fhir/CodeSystem/login-method')?.code;
  async function eventually(test: (e: Json) => boolean): Promise<Json> {
    for (let i = 0; i < 100; i++) {
      const found = (await logins()).find(test);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no such login event');
  }

  return {
    env,
    ids,
    mobileOf,
    loginOf,
    loginPage,
    submitPassword,
    submitCode,
    consentAndTokens,
    logIn,
    eventually,
    method,
  };
}

/**
 * Password logins with a one-time code on the SMART login page, through real HTTP: the browser
 * (a cookie jar), the SMS gateway (an HTTP server in the test) and the mail server (SMTP in the
 * test) are real, as are the tokens and the FHIR read at the end.
 */
describe('password login with a one-time code', function () {
  this.timeout(120_000);
  const {
    env,
    mobileOf,
    loginOf,
    loginPage,
    submitPassword,
    submitCode,
    consentAndTokens,
    logIn,
    eventually,
    method,
  } = passwordEnvironment({});
  it('logs in with e-mail, password and the code by SMS, to a token that reads FHIR; both steps are logged', async () => {
    const flow = await loginPage();
    // The login is case-insensitive.
    const codePage = await submitPassword(flow, 'Anna@Linde.EXAMPLE');
    expect(codePage.res.status).to.equal(200);
    expect(codePage.text)
      .to.contain('per sms')
      .and.contain(`…${mobileOf('anna').slice(-2)}`);
    const text = await env.sms.nth(mobileOf('anna'), 1);
    expect(text.text).to.match(/verificatiecode is \d{6}/);
    const consent = await submitCode(flow, codeIn(text.text));
    expect(consent.text).to.contain('Practitioner/anna');
    const tokens = await consentAndTokens(flow, consent);
    const payload = JSON.parse(
      Buffer.from(String(tokens.id_token).split('.')[1]!, 'base64url').toString(),
    ) as Json;
    expect(payload.fhirUser).to.equal(`${env.server.publicBase}/Practitioner/anna`);
    const read = await env.server.fetchBare('Practitioner/anna', {
      headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/fhir+json' },
    });
    expect(read.status).to.equal(200);
    expect(((await read.json()) as Json).id).to.equal('anna');
    const event = await eventually((e) => method(e) === 'password' && e.outcome === '0');
    expect(event.agent[0].who.reference).to.equal('Practitioner/anna');
  });

  it('sends the code by e-mail when the account has no mobile number', async () => {
    const flow = await loginPage();
    const codePage = await submitPassword(flow, loginOf('bert'));
    expect(codePage.text).to.contain('gemaild naar b…@linde.example');
    const mail = await env.smtp.next(
      (m) => addressOf(m).includes(loginOf('bert')) && /verificatiecode/i.test(m.subject ?? ''),
    );
    const consent = await submitCode(flow, codeIn(mail.text ?? ''));
    expect(consent.text).to.contain('Practitioner/bert');
  });

  it('a wrong password and an unknown e-mail get the same page, and the same cost; both refusals are logged', async () => {
    const flow = await loginPage();
    const timed = async (email: string, password: string) => {
      const t = process.hrtime.bigint();
      const r = await submitPassword(flow, email, password);
      return { ...r, ms: Number(process.hrtime.bigint() - t) / 1e6 };
    };
    const wrong = await timed(loginOf('carla'), 'niet het goede wachtwoord');
    const unknown = await timed('niemand@linde.example', 'niet het goede wachtwoord');
    expect(wrong.res.status).to.equal(401);
    expect(unknown.res.status).to.equal(401);
    expect(unknown.text).to.equal(wrong.text);
    expect(wrong.text).to.contain('e-mailadres of wachtwoord klopt niet');
    expect(env.sms.count(mobileOf('carla'))).to.equal(0);
    // An unknown address is hashed too (against a dummy): no quick answer gives it away.
    const times = { wrong: [wrong.ms], unknown: [unknown.ms] };
    for (let i = 0; i < 3; i++) {
      times.wrong.push((await timed(loginOf('carla'), 'niet het goede wachtwoord')).ms);
      times.unknown.push((await timed('niemand@linde.example', 'niet het goede wachtwoord')).ms);
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(median(times.unknown)).to.be.greaterThan(median(times.wrong) * 0.4);
    const unknownEvent = await eventually(
      (e) => method(e) === 'password' && e.agent[0].who.identifier?.value === 'niemand@linde.example',
    );
    expect(unknownEvent.outcome).to.equal('4');
    expect(unknownEvent.outcomeDesc).to.contain('unknown login');
    const wrongEvent = await eventually(
      (e) => method(e) === 'password' && e.agent[0].who.identifier?.value === loginOf('carla'),
    );
    expect(wrongEvent.outcomeDesc).to.contain('wrong password');
    // A refusal names what was presented, never the account's person.
    expect(wrongEvent.agent[0].who.reference).to.equal(undefined);
  });

  it('a form posted from another site does nothing: no cookie, or a foreign Origin', async () => {
    const flow = await loginPage();
    const before = env.sms.count(mobileOf('ines'));
    const noCookie = await fetch(flow.password, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: loginOf('ines'), password: PASSWORD }),
    });
    expect(noCookie.status).to.not.equal(200);
    const foreign = await fetch(flow.password, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: flow.jar.header(new URL(flow.password)),
        origin: 'https://evil.example',
      },
      body: new URLSearchParams({ email: loginOf('ines'), password: PASSWORD }),
    });
    expect(foreign.status).to.equal(403);
    const crossSite = await fetch(flow.password, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: flow.jar.header(new URL(flow.password)),
        'sec-fetch-site': 'cross-site',
      },
      body: new URLSearchParams({ email: loginOf('ines'), password: PASSWORD }),
    });
    expect(crossSite.status).to.equal(403);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(env.sms.count(mobileOf('ines'))).to.equal(before);
  });

  it('a disabled account is refused like a wrong password (logged), its tokens end; enabled, it works again', async () => {
    const tokens = await logIn('ines');
    const read = () =>
      env.server.fetchBare('Practitioner/ines', {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
    expect((await read()).status).to.equal(200);
    // A login in progress when the account is disabled does not finish either.
    const midway = await loginPage();
    await submitPassword(midway, loginOf('ines'));
    const pending = codeIn((await env.sms.nth(mobileOf('ines'), 2)).text);
    await env.server.app.passwordAccounts.disable('Practitioner/ines');
    expect((await read()).status).to.equal(401);
    expect((await submitCode(midway, pending)).res.status).to.equal(401);
    const flow = await loginPage();
    const unknown = await submitPassword(flow, 'niemand@linde.example', 'niet het goede wachtwoord');
    const disabled = await submitPassword(flow, loginOf('ines'));
    expect(disabled.res.status).to.equal(401);
    expect(disabled.text).to.equal(unknown.text);
    await eventually((e) => method(e) === 'password' && /account disabled/.test(e.outcomeDesc ?? ''));
    await env.server.app.passwordAccounts.enable('Practitioner/ines');
    await logIn('ines');
  });

  it('a deactivated Practitioner, or one without an active role, is refused after the code', async () => {
    for (const id of ['gone', 'norole']) {
      const flow = await loginPage();
      await submitPassword(flow, loginOf(id));
      const done = await submitCode(flow, codeIn((await env.sms.nth(mobileOf(id), 1)).text));
      expect(done.res.status, id).to.equal(403);
      expect(done.url).to.not.match(new RegExp(`^${REDIRECT_URI}`));
    }
    await eventually((e) => method(e) === 'password' && /deactivated/.test(e.outcomeDesc ?? ''));
    await eventually(
      (e) => method(e) === 'password' && /no active PractitionerRole/.test(e.outcomeDesc ?? ''),
    );
  });
});

describe('texts with one-time codes in the job queue', function () {
  this.timeout(120_000);
  const { env, logIn } = passwordEnvironment({});

  it('are kept a day at most, sent or undeliverable (the code is in the clear in them)', async () => {
    await logIn('anna');
    const knex = env.server.app.db.knex;
    const queues = (await knex('pgboss.queue')
      .whereIn('name', ['sms', 'sms-undeliverable'])
      .select('name', 'retention_seconds', 'deletion_seconds', 'dead_letter')
      .orderBy('name')) as Json[];
    expect(queues).to.deep.equal([
      {
        name: 'sms',
        retention_seconds: queues[0]!.retention_seconds,
        deletion_seconds: 86_400,
        dead_letter: 'sms-undeliverable',
      },
      { name: 'sms-undeliverable', retention_seconds: 86_400, deletion_seconds: 86_400, dead_letter: null },
    ]);
    // The text sent, with its code, is deleted a day after it went out.
    const jobs = (await knex('pgboss.job')
      .where({ name: 'sms' })
      .select('deletion_seconds', 'data')) as Json[];
    expect(jobs.length).to.be.greaterThan(0);
    for (const job of jobs) expect(job.deletion_seconds).to.equal(86_400);
  });
});

describe('password login: lockout, one-time codes and a new password', function () {
  this.timeout(120_000);
  const { env, mobileOf, loginOf, loginPage, submitPassword, submitCode, logIn, eventually, method } =
    passwordEnvironment({ lockSeconds: 4, resetCooldownSeconds: 2 });

  it('locks the login after 5 wrong passwords (even the right one is refused, same page), and unlocks after the period', async () => {
    const flow = await loginPage();
    const refused = await submitPassword(flow, 'niemand@linde.example', 'niet het goede wachtwoord');
    for (let i = 0; i < 5; i++) {
      const r = await submitPassword(flow, loginOf('dirk'), `verkeerd wachtwoord ${i}`);
      expect(r.res.status).to.equal(401);
    }
    const locked = await submitPassword(flow, loginOf('dirk'));
    expect(locked.res.status).to.equal(401);
    expect(locked.text).to.equal(refused.text);
    expect(env.sms.count(mobileOf('dirk'))).to.equal(0);
    const event = await eventually(
      (e) => method(e) === 'password' && /account locked until/.test(e.outcomeDesc ?? ''),
    );
    expect(event.agent[0].who.identifier.value).to.equal(loginOf('dirk'));
    // The lock is in the database (every node sees it) and ends after PASSWORD_LOCK_SECONDS (4 s here).
    const row = (await env.server.app.db
      .knex('password_account')
      .where({ person: 'Practitioner/dirk' })
      .first()) as Json;
    expect(new Date(row.locked_until).getTime()).to.be.greaterThan(Date.now());
    await new Promise((r) => setTimeout(r, 4_300));
    const open = await submitPassword(flow, loginOf('dirk'));
    expect(open.res.status, open.text).to.equal(200);
    expect(open.text).to.contain('class="password-code"');
  });

  it('a wrong code is refused and counted; after 5 wrong ones the code is void and the login locked', async () => {
    const flow = await loginPage();
    await submitPassword(flow, loginOf('eva'));
    const code = codeIn((await env.sms.nth(mobileOf('eva'), 1)).text);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const once = await submitCode(flow, wrong);
    expect(once.res.status).to.equal(401);
    expect(once.text).to.contain('verificatiecode klopt niet');
    for (let i = 0; i < 4; i++) expect((await submitCode(flow, wrong)).res.status).to.equal(401);
    const late = await submitCode(flow, code);
    expect(late.res.status).to.equal(401);
    const event = await eventually(
      (e) => method(e) === 'password' && /one-time code: wrong code \(5 of 5\)/.test(e.outcomeDesc ?? ''),
    );
    expect(event.outcome).to.equal('4');
    // Wrong codes count towards the lock like wrong passwords: the right password is refused a while.
    expect((await submitPassword(flow, loginOf('eva'))).res.status).to.equal(401);
    expect(env.sms.count(mobileOf('eva'))).to.equal(1);
    await new Promise((r) => setTimeout(r, 4_300));
    // After the lock, logging in again sends a new code, which works.
    await submitPassword(flow, loginOf('eva'));
    const consent = await submitCode(flow, codeIn((await env.sms.nth(mobileOf('eva'), 2)).text));
    expect(consent.text).to.contain('Practitioner/eva');
  });

  it('whoever knows the password cannot cycle codes: wrong codes over several logins lock the account', async () => {
    const failures = async () =>
      Number(
        (
          (await env.server.app.db
            .knex('password_account')
            .where({ person: 'Practitioner/joost' })
            .first()) as Json
        ).failed_attempts,
      );
    const wrongTo = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    let sent = 0;
    let code = '';
    // Five logins, each with the right password (a fresh code texted) and one wrong code.
    for (let i = 0; i < 5; i++) {
      const flow = await loginPage();
      const page = await submitPassword(flow, loginOf('joost'));
      expect(page.res.status, `login ${i + 1}`).to.equal(200);
      code = codeIn((await env.sms.nth(mobileOf('joost'), ++sent)).text);
      expect((await submitCode(flow, wrongTo(code))).res.status).to.equal(401);
      if (i < 4) expect(await failures(), 'a right password does not clear wrong codes').to.equal(i + 1);
      else {
        // The fifth locked the account: not even the right code of this login gets in.
        expect((await submitCode(flow, code)).res.status).to.equal(401);
      }
    }
    await eventually(
      (e) => method(e) === 'password' && /5 failures in a row: locked/.test(e.outcomeDesc ?? ''),
    );
    const locked = await loginPage();
    expect((await submitPassword(locked, loginOf('joost'))).res.status).to.equal(401);
    expect(env.sms.count(mobileOf('joost')), 'no more texts while locked').to.equal(5);
    // After the lock a whole login (password and code) gets in and starts the count again.
    await new Promise((r) => setTimeout(r, 4_300));
    const flow = await loginPage();
    await submitPassword(flow, loginOf('joost'));
    expect(
      (await submitCode(flow, wrongTo(codeIn((await env.sms.nth(mobileOf('joost'), 6)).text)))).res.status,
    ).to.equal(401);
    expect(await failures()).to.equal(1);
    const consent = await submitCode(flow, codeIn((await env.sms.nth(mobileOf('joost'), 6)).text));
    expect(consent.res.status, consent.text).to.equal(200);
    expect(await failures()).to.equal(0);
  });

  it('a newer code supersedes the older one: only the latest works', async () => {
    const flow = await loginPage();
    await submitPassword(flow, loginOf('frank'));
    const first = codeIn((await env.sms.nth(mobileOf('frank'), 1)).text);
    await submitPassword(flow, loginOf('frank'));
    const second = codeIn((await env.sms.nth(mobileOf('frank'), 2)).text);
    if (first !== second) expect((await submitCode(flow, first)).res.status).to.equal(401);
    const consent = await submitCode(flow, second);
    expect(consent.res.status).to.equal(200);
    expect(consent.text).to.contain('Practitioner/frank');
  });

  it('a login is for the last account whose password was given in it', async () => {
    const flow = await loginPage();
    await submitPassword(flow, loginOf('carla'));
    const carla = codeIn((await env.sms.nth(mobileOf('carla'), 1)).text);
    await submitPassword(flow, loginOf('ines'));
    const ines = codeIn((await env.sms.nth(mobileOf('ines'), 1)).text);
    if (carla !== ines) expect((await submitCode(flow, carla)).res.status).to.equal(401);
    const consent = await submitCode(flow, ines);
    expect(consent.res.status).to.equal(200);
    expect(consent.text).to.contain('Practitioner/ines');
  });

  it('a code works only in the login that asked for it, and only once (of two requests at once, one wins)', async () => {
    const flow = await loginPage();
    await submitPassword(flow, loginOf('hanna'));
    const code = codeIn((await env.sms.nth(mobileOf('hanna'), 1)).text);
    const other = await loginPage();
    const elsewhere = await submitCode(other, code);
    expect(elsewhere.res.status).to.equal(401);
    const [a, b] = await Promise.all([submitCode(flow, code), submitCode(flow, code)]);
    const statuses = [a.res.status, b.res.status].sort();
    expect(statuses).to.deep.equal([200, 401]);
    const winner = a.res.status === 200 ? a : b;
    expect(winner.text).to.contain('Practitioner/hanna');
    // Used: a third try gets nowhere either.
    expect((await submitCode(flow, code)).url).to.not.match(new RegExp(`^${REDIRECT_URI}`));
  });

  describe('a forgotten password', () => {
    const forgot = async (email: string) => {
      const jar = new CookieJar();
      const page = await browse(jar, `${env.server.base}/oauth/password/forgot`);
      return browse(jar, formAction(env.server, page.text, '/oauth/password/forgot'), {
        method: 'POST',
        form: { email },
      });
    };
    const resets = (to: string) =>
      env.smtp.messages.filter((m) => addressOf(m).includes(to) && /nieuw wachtwoord/i.test(m.subject ?? ''));
    /** The `n`th reset mail to `to`, waiting for it. */
    const resetMail = async (to: string, n = 1) => {
      await env.smtp.next(() => resets(to).length >= n);
      return resets(to)[n - 1]!;
    };
    const linkIn = (text: string) => /(http\S+\/oauth\/password\/reset\/\S+)/.exec(text)![1]!;

    it('the login page links to it; the same answer for a known and an unknown address; only a known one gets mail', async () => {
      const flow = await loginPage();
      expect(flow.page.text).to.contain('href="/oauth/password/forgot"').and.contain('Wachtwoord vergeten?');
      const known = await forgot(loginOf('joost'));
      const unknown = await forgot('niemand@linde.example');
      expect(known.res.status).to.equal(200);
      expect(unknown.text).to.equal(known.text);
      await resetMail(loginOf('joost'));
      await new Promise((r) => setTimeout(r, 1_000));
      expect(env.smtp.messages.filter((m) => addressOf(m).includes('niemand@linde.example'))).to.have.length(
        0,
      );
    });

    it('sets a new password through the link once (rules apply), ends the grants, and the new password logs in', async () => {
      const tokens = await logIn('joost');
      expect(tokens.refresh_token).to.be.a('string');
      // A newer request: the earlier link stops working.
      const sent = resets(loginOf('joost')).length;
      // After the first test's request, wait out the cooldown (2 s here).
      await new Promise((r) => setTimeout(r, 2_100));
      await forgot(loginOf('joost'));
      const earlier = linkIn((await resetMail(loginOf('joost'), sent + 1)).text ?? '');
      expect((await fetch(earlier)).status).to.equal(200);
      // Asked again at once: the same answer, no second mail, the link still works.
      const askedAgain = await forgot(loginOf('joost'));
      expect(askedAgain.res.status).to.equal(200);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(resets(loginOf('joost'))).to.have.length(sent + 1);
      expect((await fetch(earlier)).status).to.equal(200);
      await new Promise((r) => setTimeout(r, 1_200));
      await forgot(loginOf('joost'));
      const link = linkIn((await resetMail(loginOf('joost'), sent + 2)).text ?? '');
      expect((await fetch(earlier)).status).to.equal(400);
      const jar = new CookieJar();
      const form = await browse(jar, link);
      expect(form.res.status).to.equal(200);
      expect(form.res.headers.get('referrer-policy')).to.equal('no-referrer');
      const action = formAction(env.server, form.text, '/oauth/password/reset');
      const token = /name="token" value="([^"]+)"/.exec(form.text)![1]!;
      const weak = await browse(jar, action, {
        method: 'POST',
        form: { token, password: 'welkom', repeat: 'welkom' },
      });
      expect(weak.res.status).to.equal(400);
      expect(weak.text).to.contain('minstens 12');
      const differ = await browse(jar, action, {
        method: 'POST',
        form: { token, password: 'een nieuw lang wachtwoord', repeat: 'een ander lang wachtwoord' },
      });
      expect(differ.res.status).to.equal(400);
      // As a browser sends it from a page with `Referrer-Policy: no-referrer`: `Origin: null`.
      const done = await fetch(action, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'null',
          'sec-fetch-site': 'same-origin',
        },
        body: new URLSearchParams({
          token,
          password: 'een nieuw lang wachtwoord',
          repeat: 'een nieuw lang wachtwoord',
        }),
      });
      expect(done.status, await done.text()).to.equal(200);
      // Used: the link and its token work no more.
      expect((await fetch(link)).status).to.equal(400);
      const again = await browse(jar, action, {
        method: 'POST',
        form: { token, password: 'nog een ander wachtwoord', repeat: 'nog een ander wachtwoord' },
      });
      expect(again.res.status).to.equal(400);
      // Every grant of the person ended: the refresh token and the access token.
      const refresh = await tokenRequest(env.server, env.app, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
      });
      expect(refresh.status).to.equal(400);
      expect(refresh.body.error).to.equal('invalid_grant');
      const read = await env.server.fetchBare('Practitioner/joost', {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(read.status).to.equal(401);
      // The old password is refused, the new one works.
      const flow = await loginPage();
      expect((await submitPassword(flow, loginOf('joost'))).res.status).to.equal(401);
      const codePage = await submitPassword(flow, loginOf('joost'), 'een nieuw lang wachtwoord');
      expect(codePage.res.status).to.equal(200);
    });
  });
});

describe('password login: a code expires, an old hash is renewed', function () {
  this.timeout(60_000);
  let server: TestServer;
  let sms: Awaited<ReturnType<typeof startSmsGateway>>;
  before(async () => {
    sms = await startSmsGateway();
    const base = loadConfig({});
    server = await startTestServer(
      {},
      { config: { sms: { webhookUrl: sms.url }, password: { ...base.password, codeSeconds: 1 } } },
    );
    await putResources(server, [
      ['Organization', 'linde', ORG],
      ['Practitioner', 'anna', { active: true }],
      [
        'PractitionerRole',
        'anna-gp',
        {
          active: true,
          practitioner: { reference: 'Practitioner/anna' },
          organization: { reference: 'Organization/linde' },
        },
      ],
    ]);
    await server.app.passwordAccounts.create({
      login: 'anna@linde.example',
      password: PASSWORD,
      person: 'Practitioner/anna',
      mobile: '0612345678',
    });
  });
  after(async () => {
    await server?.close();
    await sms?.close();
  });

  it('is refused after PASSWORD_CODE_SECONDS', async () => {
    const app = await registerApp(server, { scope: SCOPE });
    const jar = new CookieJar();
    const page = await browse(
      jar,
      authorizeUrl(server, app, {
        scope: SCOPE,
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
    );
    const action = formAction(server, page.text, '/password');
    await browse(jar, action, { method: 'POST', form: { email: 'anna@linde.example', password: PASSWORD } });
    const code = codeIn((await sms.nth('0612345678', 1)).text);
    await new Promise((r) => setTimeout(r, 1_500));
    const late = await browse(jar, action.replace(/\/password$/, '/password-code'), {
      method: 'POST',
      form: { code },
    });
    expect(late.res.status).to.equal(401);
    expect(late.text).to.contain('verlopen');
  });

  it('a hash made with older scrypt parameters is made again at the next right password', async () => {
    // An account from before PASSWORD_SCRYPT_LOG_N was raised to 15: its stored form says ln=14.
    const accounts = () => server.app.db.knex('password_account').where({ person: 'Practitioner/anna' });
    await accounts().update({ password_hash: await hashPassword(PASSWORD, { logN: 14, r: 8, p: 1 }) });
    const app = await registerApp(server, { scope: SCOPE });
    const jar = new CookieJar();
    const page = await browse(
      jar,
      authorizeUrl(server, app, {
        scope: SCOPE,
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
    );
    const action = formAction(server, page.text, '/password');
    const wrong = await browse(jar, action, {
      method: 'POST',
      form: { email: 'anna@linde.example', password: 'fout fout fout' },
    });
    expect(wrong.res.status).to.equal(401);
    expect(((await accounts().first()) as Json).password_hash).to.match(/^scrypt\$ln=14,/);
    const right = await browse(jar, action, {
      method: 'POST',
      form: { email: 'anna@linde.example', password: PASSWORD },
    });
    expect(right.res.status).to.equal(200);
    const stored = ((await accounts().first()) as Json).password_hash as string;
    expect(stored).to.match(/^scrypt\$ln=15,r=8,p=1\$/);
    expect((await verifyPassword(PASSWORD, stored)).ok).to.equal(true);
  });
});

describe('password accounts', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  const refusal = async (p: Promise<void>) =>
    p.then(
      () => expect.fail('accepted'),
      (err: { status: number; message: string }) => err,
    );

  it('creates an account; refuses a taken login (any case), a second account of the person, a weak password, bad input', async () => {
    const accounts = server.app.passwordAccounts;
    await accounts.create({
      login: 'Anna@Praktijk.example',
      password: PASSWORD,
      person: 'Practitioner/anna',
    });
    const taken = await refusal(
      accounts.create({ login: 'anna@praktijk.EXAMPLE', password: PASSWORD, person: 'Practitioner/other' }),
    );
    expect(taken.status).to.equal(409);
    expect(taken.message).to.match(/another account.*\/.*ander account/);
    expect(
      (
        await refusal(
          accounts.create({ login: 'b@praktijk.example', password: PASSWORD, person: 'Practitioner/anna' }),
        )
      ).status,
    ).to.equal(409);
    const weak = await refusal(
      accounts.create({ login: 'c@praktijk.example', password: 'welkom', person: 'Practitioner/c' }),
    );
    expect(weak.status).to.equal(400);
    expect(weak.message).to.match(/at least 12.*minstens 12/);
    expect(
      (
        await refusal(
          accounts.create({ login: 'not-an-email', password: PASSWORD, person: 'Practitioner/d' }),
        )
      ).status,
    ).to.equal(400);
    expect(
      (await refusal(accounts.create({ login: 'e@x.example', password: PASSWORD, person: 'Organization/e' })))
        .status,
    ).to.equal(400);
    expect(
      (
        await refusal(
          accounts.create({
            login: 'f@x.example',
            password: PASSWORD,
            person: 'Patient/f',
            mobile: 'bel me',
          }),
        )
      ).status,
    ).to.equal(400);
    // A patient account (the portal's) is made the same way.
    await accounts.create({
      login: 'g@x.example',
      password: PASSWORD,
      person: 'Patient/g',
      mobile: '+31612345678',
    });
    // Disabling a person without a password login is nothing to do.
    await accounts.disable('Practitioner/nobody');
  });
});

/**
 * Two server nodes on one Postgres database behind one public URL: the failures counted on one
 * node lock the login on the other, and a code sent by one node is taken by the other.
 */
describe('password login across server nodes', function () {
  this.timeout(120_000);
  const PUBLIC = 'http://zorgpoort.test';
  let dir: string;
  let a: TestServer;
  let b: TestServer;
  let sms: Awaited<ReturnType<typeof startSmsGateway>>;

  before(async function () {
    if (!process.env.DATABASE_URL) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'password-nodes-'));
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(
      jwksFile,
      JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: 'shared', alg: 'ES256' }] }),
    );
    sms = await startSmsGateway();
    const base = loadConfig({});
    const config: Partial<Config> = {
      baseUrl: PUBLIC,
      smart: { ...base.smart, cookieKeys: ['one-secret-for-every-node'], jwksFile },
      sms: { webhookUrl: sms.url },
      password: { ...base.password, lockSeconds: 60 },
    };
    a = await startTestServer({}, { config });
    b = await startTestServer({}, { config, reuseDatabaseOf: a });
    await putResources(a, [
      ['Organization', 'linde', ORG],
      ['Practitioner', 'anna', { active: true }],
      ['Practitioner', 'bert', { active: true }],
      ...['anna', 'bert'].map(
        (id) =>
          [
            'PractitionerRole',
            `${id}-gp`,
            {
              active: true,
              practitioner: { reference: `Practitioner/${id}` },
              organization: { reference: 'Organization/linde' },
            },
          ] as const,
      ),
    ]);
    for (const [id, mobile] of [
      ['anna', '0611111111'],
      ['bert', '0622222222'],
    ] as const) {
      await a.app.passwordAccounts.create({
        login: `${id}@linde.example`,
        password: PASSWORD,
        person: `Practitioner/${id}`,
        mobile,
      });
    }
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await sms?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A browser whose every request goes to the other node than the one before. */
  async function alternating() {
    let hop = 0;
    const route = (url: URL) =>
      url.origin === PUBLIC ? new URL(url.pathname + url.search, (hop++ % 2 === 0 ? a : b).base) : url;
    const publicServer = { base: PUBLIC } as TestServer;
    const app = await registerApp(a, { scope: SCOPE });
    const jar = new CookieJar();
    const page = await browse(
      jar,
      authorizeUrl(publicServer, app, {
        scope: SCOPE,
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
      { route },
    );
    const action = formAction(publicServer, page.text, '/password');
    const post = (path: string, form: Record<string, string>) =>
      browse(jar, path, { method: 'POST', form, route, stopAt: REDIRECT_URI });
    return {
      password: (email: string, password: string) => post(action, { email, password }),
      code: (code: string) => post(action.replace(/\/password$/, '/password-code'), { code }),
    };
  }

  it('counts failures on both nodes into one lock', async () => {
    const browser = await alternating();
    for (let i = 0; i < 5; i++) {
      expect((await browser.password('anna@linde.example', `fout wachtwoord ${i}`)).res.status).to.equal(401);
    }
    expect((await browser.password('anna@linde.example', PASSWORD)).res.status).to.equal(401);
    expect((await browser.password('anna@linde.example', PASSWORD)).res.status).to.equal(401);
    expect(sms.count('0611111111')).to.equal(0);
  });

  it('takes a code sent by one node on the other', async () => {
    const browser = await alternating();
    const sent = await browser.password('bert@linde.example', PASSWORD);
    expect(sent.res.status).to.equal(200);
    const consent = await browser.code(codeIn((await sms.nth('0622222222', 1)).text));
    expect(consent.res.status, consent.text).to.equal(200);
    expect(consent.text).to.contain('Practitioner/bert');
  });
});
