import { expect } from 'chai';
import type { ParsedMail } from 'mailparser';
import { callAs, putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { auditorOf } from '../support/auditor.ts';
import {
  authorizeUrl,
  browse,
  CookieJar,
  exchangeCode,
  formAction,
  personToken,
  pkce,
  REDIRECT_URI,
  registerApp,
} from '../support/smart-flow.ts';
import { addressOf, freePort, startSmtp } from '../support/smtp.ts';

type Json = Record<string, any>;
const FN = 'https://zorgpoort.nl/fhir/CodeSystem/referral-function';
const CLUSTER = 'https://zorgpoort.nl/fhir/StructureDefinition/cluster';
const VERIFIED = 'https://zorgpoort.nl/fhir/StructureDefinition/function-verified';
const KIND = 'https://zorgpoort.nl/fhir/CodeSystem/organization-kind';
const AGB = 'http://fhir.nl/fhir/NamingSystem/agb-z';
const BIG = 'http://fhir.nl/fhir/NamingSystem/big';
const DAY = 86_400_000;
const PASSWORD = 'groene tulpen in de regen';
const SCOPE = 'openid fhirUser user/*.cruds';

const cluster = (id: string, name: string, of: string) =>
  [
    'Organization',
    id,
    {
      name,
      type: [{ coding: [{ system: KIND, code: 'cluster' }] }],
      partOf: { reference: `Organization/${of}` },
    },
  ] as const;
const role = (
  id: string,
  person: string,
  org: string,
  code: string,
  clusters: string[] = [],
  email?: string,
) =>
  [
    'PractitionerRole',
    id,
    {
      ...(clusters.length
        ? {
            extension: clusters.map((c) => ({
              url: CLUSTER,
              valueReference: { reference: `Organization/${c}` },
            })),
          }
        : {}),
      active: true,
      practitioner: { reference: `Practitioner/${person}` },
      organization: { reference: `Organization/${org}` },
      code: [{ coding: [{ system: FN, code }] }],
      ...(email ? { telecom: [{ system: 'email', value: email }] } : {}),
    },
  ] as const;
const person = (id: string, given: string, family: string) =>
  ['Practitioner', id, { active: true, name: [{ family, given: [given] }] }] as const;

/** English answers (undici's fetch sends `Accept-Language: *`, which the server answers in Dutch). */
const EN = { 'accept-language': 'en' };
const invite = (email: string, functions: (string | Json)[], clusters: string[] = []) => ({
  method: 'POST',
  headers: EN,
  body: JSON.stringify({
    resourceType: 'Parameters',
    parameter: [
      { name: 'email', valueString: email },
      ...functions.map((f) =>
        typeof f === 'string' ? { name: 'function', valueCode: f } : { name: 'function', part: f.part },
      ),
      ...clusters.map((c) => ({ name: 'cluster', valueReference: { reference: `Organization/${c}` } })),
    ],
  }),
});
const post = (parameter: Json[] = []) => ({
  method: 'POST',
  headers: EN,
  body: JSON.stringify({ resourceType: 'Parameters', parameter }),
});
const out = (body: Json, name: string) => body.parameter?.find((p: Json) => p.name === name);
const partOf = (p: Json, name: string) => p.part.find((x: Json) => x.name === name);
const linkIn = (mail: ParsedMail) =>
  /https?:\/\/\S+\/accounts\/invitations\/[A-Za-z0-9_-]+/.exec(mail.text ?? '')![0];
const diagnostics = (body: Json) => (body.issue ?? []).map((i: Json) => i.diagnostics).join(' ');

describe('referral accounts: invitations, functions, verification, deactivation (seed 003)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let now = Date.parse('2026-12-07T09:00:00Z');
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  const read = async (path: string) => (await server.fetch(path)).json() as Promise<Json>;
  const mailTo = (address: string, after = 0) =>
    smtp.next((m) => addressOf(m).includes(address) && smtp.messages.indexOf(m) >= after);
  /** Follows a link as the invitee (no login): JSON in, JSON out. */
  const accept = async (link: string, body: Json, headers: Record<string, string> = {}) => {
    const res = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  /** A browser's password login on the SMART login page, the one-time code by mail: a token, or the refusal's status. */
  async function passwordLogin(email: string, password: string): Promise<{ status: number; token?: string }> {
    const app = await registerApp(server, { scope: SCOPE });
    const jar = new CookieJar();
    const { verifier, challenge } = pkce();
    const page = await browse(
      jar,
      authorizeUrl(server, app, { scope: SCOPE, code_challenge: challenge, code_challenge_method: 'S256' }),
    );
    const action = formAction(server, page.text, '/password');
    const before = smtp.messages.length;
    const codePage = await browse(jar, action, { method: 'POST', form: { email, password } });
    if (codePage.res.status !== 200) return { status: codePage.res.status };
    const code = /\b(\d{6})\b/.exec((await mailTo(email, before)).text ?? '')![1]!;
    const consent = await browse(jar, action.replace(/\/password$/, '/password-code'), {
      method: 'POST',
      form: { code },
      stopAt: REDIRECT_URI,
    });
    if (consent.res.status !== 200) return { status: consent.res.status };
    const back = await browse(jar, formAction(server, consent.text, '/confirm'), {
      method: 'POST',
      form: {},
      stopAt: REDIRECT_URI,
    });
    const token = await exchangeCode(server, app, new URL(back.url).searchParams.get('code'), verifier);
    return { status: token.status, token: `Bearer ${token.body.access_token as string}` };
  }

  before(async () => {
    const port = await freePort();
    smtp = await startSmtp(port);
    server = await startTestServer(
      {},
      {
        clock: () => new Date(now),
        config: {
          smart: { devLogin: true, cookieKeys: [] },
          mail: { smtpUrl: smtp.url, from: 'Zorgpoort <noreply@zorgpoort.test>', retryDelaySeconds: 1 },
        },
      },
    );
    await putResources(server, [
      [
        'Organization',
        'zkh',
        { name: 'Ziekenhuis Rijnstad', identifier: [{ system: AGB, value: '06010713' }] },
      ],
      cluster('zkh-a', 'Cardiologie', 'zkh'),
      cluster('zkh-b', 'Orthopedie', 'zkh'),
      ['Organization', 'other', { name: 'Ander ziekenhuis' }],
      cluster('other-a', 'Elders', 'other'),
      person('boss', 'Bea', 'Baas'),
      person('boss2', 'Bert', 'Tweede'),
      person('adminA', 'Anna', 'Cluster'),
      person('elsewhere', 'Els', 'Elders'),
      role('boss-resp', 'boss', 'zkh', 'admin-responsible', [], 'bea@zkh.test'),
      role('boss2-resp', 'boss2', 'zkh', 'admin-responsible', [], 'bert@zkh.test'),
      role('adminA-resp', 'adminA', 'zkh', 'admin-responsible', ['zkh-a'], 'anna@zkh.test'),
      role('elsewhere-resp', 'elsewhere', 'other', 'admin-responsible'),
    ]);
    for (const who of ['boss', 'boss2', 'adminA', 'elsewhere'])
      tokens[who] = await personToken(server, `Practitioner/${who}`);
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
  });

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
    expect(out(made.body, 'expires').valueInstant).to.equal(new Date(now + 7 * DAY).toISOString());
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
    now += 7 * DAY - 60_000; // a minute before the end it still works
    expect((await fetch(oldLink, { headers: { accept: 'application/json' } })).status).to.equal(200);
    now += 120_000;
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
    expect(out(resent.body, 'expires').valueInstant).to.equal(new Date(now + 7 * DAY).toISOString());
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

  it('a function is verified by a responsible admin over it, never by its holder (four eyes)', async () => {
    const gp = newRoles.find((r) => r.code[0].coding[0].code === 'gp')!;
    const own = await call('PractitionerRole/boss-resp/$verify-function', 'boss', post());
    expect(own.status).to.equal(403);
    expect(diagnostics(own.body)).to.contain('four eyes');
    const verified = await call(`PractitionerRole/${gp.id}/$verify-function`, 'boss', post());
    expect(verified.status, JSON.stringify(verified.body)).to.equal(200);
    const ext = verified.body.extension.find((e: Json) => e.url === VERIFIED);
    expect(ext.extension).to.deep.include({ url: 'by', valueReference: { reference: 'Practitioner/boss' } });
    expect(ext.extension.find((e: Json) => e.url === 'at').valueDateTime).to.equal(
      new Date(now).toISOString(),
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
    const gp = newRoles.find((r) => r.code[0].coding[0].code === 'gp')!;
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
    const reports = newRoles.find((r) => r.code[0].coding[0].code === 'admin-reports')!;
    const agbOnAdmin = await call(
      `PractitionerRole/${reports.id}/$function-details`,
      'newcomer',
      post([{ name: 'agb', valueString: '01234567' }]),
    );
    expect(agbOnAdmin.status).to.equal(400);
  });

  it("an admin function's clusters are changed by a responsible admin over both the old and the new ones", async () => {
    const reports = newRoles.find((r) => r.code[0].coding[0].code === 'admin-reports')!;
    const gp = newRoles.find((r) => r.code[0].coding[0].code === 'gp')!;
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
    const reports = newRoles.find((r) => r.code[0].coding[0].code === 'admin-reports')!;
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
    const gp = newRoles.find((r) => r.code[0].coding[0].code === 'gp')!;
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
    const gp = newRoles.find((r) => r.code[0].coding[0].code === 'gp')!;
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
});
