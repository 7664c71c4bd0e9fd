import { expect } from 'chai';
import { putResources } from '../support/harness.ts';
import {
  BSN,
  confirmLinkIn,
  diagnostics,
  EN,
  ids,
  PASSWORD,
  PORTAL_TAG,
  type Json,
} from '../support/portal-world.ts';
import { loginAtIdp, postToAcs } from '../support/saml-browser.ts';
import {
  login,
  startSamlEnvironment,
  stopSamlEnvironment,
  type SamlEnvironment,
} from '../support/saml-environment.ts';
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

const SCOPE = 'openid fhirUser launch/patient patient/*.rs user/*.rs user/Person.c';

/**
 * Seed 004: "U kunt uw account registreren via DigiD. Het account wordt automatisch gekoppeld met
 * ons huisartsensysteem." A real DigiD-style login (SimpleSAMLphp, NameID s00000000:<BSN>) into a
 * portal app, then `Person/$register-digid`: the account is linked at once, the record readable
 * without a session code, the practice told.
 */
describe('Patient portal: registration with DigiD', function () {
  this.timeout(120_000);
  let env: SamlEnvironment;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let token: string;
  const call = async (path: string, init: RequestInit = {}, authorization = token) => {
    const res = await env.server.fetch(path, {
      ...init,
      headers: {
        accept: 'application/fhir+json',
        'content-type': 'application/fhir+json',
        ...EN,
        ...(init.headers as Record<string, string>),
        authorization,
      },
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const register = (practice: string, extra: Json[] = []) =>
    call('Person/$register-digid', {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [
          { name: 'practice', valueReference: { reference: `Organization/${practice}` } },
          ...extra,
        ],
      }),
    });

  before(async () => {
    smtp = await startSmtp(await freePort());
    env = await startSamlEnvironment({
      server: {
        config: {
          smart: { devLogin: true, cookieKeys: [] },
          mail: { smtpUrl: smtp.url, from: 'Zorgpoort <noreply@zorgpoort.test>', retryDelaySeconds: 1 },
        },
      },
    });
    await putResources(env.server, [
      [
        'Organization',
        'linde',
        { name: 'Huisartsenpraktijk De Linde', telecom: [{ system: 'email', value: 'praktijk@linde.test' }] },
      ],
      ['Organization', 'eik', { name: 'Huisartsenpraktijk De Eik' }],
      ['Organization', 'berk', { name: 'Huisartsenpraktijk De Berk' }],
      ['Practitioner', 'assistent', { active: true }],
      [
        'PractitionerRole',
        'assistent-linde',
        {
          active: true,
          practitioner: { reference: 'Practitioner/assistent' },
          organization: { reference: 'Organization/linde' },
          code: [
            { coding: [{ system: 'https://zorgpoort.nl/fhir/CodeSystem/practice-role', code: 'assistant' }] },
          ],
        },
      ],
      [
        'Patient',
        'pat-1',
        {
          identifier: [{ system: BSN, value: '123456782' }],
          name: [{ family: 'Jansen', given: ['Piet'] }],
          birthDate: '1970-01-01',
          generalPractitioner: [{ reference: 'Organization/linde' }],
          managingOrganization: { reference: 'Organization/berk' },
          telecom: [{ system: 'email', value: 'piet@example.nl' }],
        },
      ],
      [
        'Observation',
        'pat-1-hb',
        { status: 'final', code: { text: 'Hemoglobine' }, subject: { reference: 'Patient/pat-1' } },
      ],
    ]);

    // The DigiD login, into a portal app (the SMART login page offers the IdP).
    const app = await registerApp(env.server, { scope: SCOPE });
    const jar = new CookieJar();
    const { verifier, challenge } = pkce();
    const page = await browse(
      jar,
      authorizeUrl(env.server, app, {
        scope: SCOPE,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { stopAt: REDIRECT_URI },
    );
    const link = /href="([^"]*\/saml\/login\/digid[^"]*)"/.exec(page.text)![1]!;
    const relayState = new URL(link.replace(/&amp;/g, '&')).searchParams.get('RelayState')!;
    const answer = await loginAtIdp(env.spBase, 'digid', login('patient'), relayState);
    const acs = await postToAcs(answer.acs, answer.SAMLResponse, answer.RelayState);
    let step = await browse(jar, new URL(acs.headers.get('location')!, env.server.base).href, {
      stopAt: REDIRECT_URI,
    });
    if (!step.url.startsWith(REDIRECT_URI)) {
      step = await browse(jar, formAction(env.server, step.text, '/confirm'), {
        method: 'POST',
        form: {},
        stopAt: REDIRECT_URI,
      });
    }
    const tokens = await exchangeCode(env.server, app, new URL(step.url).searchParams.get('code'), verifier);
    expect(tokens.status, JSON.stringify(tokens.body)).to.equal(200);
    token = `Bearer ${tokens.body.access_token as string}`;
  });
  after(async () => {
    await stopSamlEnvironment(env ?? {});
    await smtp?.close();
  });

  it('a DigiD-logged-in patient registers for the practice: the account is linked at once and the practice is told', async () => {
    const before = smtp.messages.length;
    const made = await register('linde');
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    // No address of its own: the portal's mails go to the one in the practice's record.
    expect(made.body.telecom).to.equal(undefined);
    expect(made.body.resourceType).to.equal('Person');
    expect(made.body.link).to.deep.equal([{ target: { reference: 'Patient/pat-1' }, assurance: 'level3' }]);
    expect(made.body.meta.tag).to.deep.include({ system: PORTAL_TAG, code: 'digid' });
    expect(made.body.managingOrganization.reference).to.equal('Organization/linde');
    expect(made.body.name[0].family).to.equal('Jansen');
    const notice = await smtp.next(
      (m) => addressOf(m).includes('praktijk@linde.test') && smtp.messages.indexOf(m) >= before,
    );
    expect(notice.subject).to.match(/via DigiD/);
    expect(notice.text).to.contain(`Person/${made.body.id}`);

    // Registering again answers the account there is.
    const again = await register('linde');
    expect(again.status).to.equal(200);
    expect(again.body.id).to.equal(made.body.id);
    // The practice's staff see it among its registrations (linked: not waiting).
    const assistant = await personToken(env.server, 'Practitioner/assistent');
    const all = await call('Person?organization=Organization/linde', {}, assistant);
    expect(ids(all.body)).to.deep.equal([`Person/${made.body.id}`]);
    const waiting = await call('Person?organization=Organization/linde&link:missing=true', {}, assistant);
    expect(ids(waiting.body)).to.deep.equal([]);
  });

  it('its own data is readable at once, without a session code (a DigiD login needs none)', async () => {
    expect((await call('Patient/pat-1')).status).to.equal(200);
    expect(ids((await call('Observation?subject=Patient/pat-1')).body)).to.deep.equal([
      'Observation/pat-1-hb',
    ]);
    const code = await call('$session-code', {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [{ name: 'service', valueCode: 'record' }],
      }),
    });
    expect(code.status).to.equal(409);
    expect(diagnostics(code.body)).to.match(/this login needs none/);
  });

  it('is refused for a practice the patient is not registered with, and for a login that is no DigiD patient', async () => {
    const elsewhere = await register('eik');
    expect(elsewhere.status).to.equal(409);
    expect(diagnostics(elsewhere.body)).to.match(/not a registered patient of Huisartsenpraktijk De Eik/);
    const nowhere = await register('bestaat-niet');
    expect(nowhere.status).to.equal(400);
    const assistant = await personToken(env.server, 'Practitioner/assistent');
    const staff = await call(
      'Person/$register-digid',
      {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Parameters',
          parameter: [{ name: 'practice', valueReference: { reference: 'Organization/linde' } }],
        }),
      },
      assistant,
    );
    expect(staff.status).to.equal(403);
  });

  it('a DigiD registration takes no e-mail address (refused in both languages), so the address stays free for its owner to register by e-mail', async () => {
    const someone = [{ name: 'email', valueString: 'buurvrouw@example.nl' }];
    const refused = await register('berk', someone);
    expect(refused.status, JSON.stringify(refused.body)).to.equal(400);
    expect(diagnostics(refused.body)).to.match(
      /takes no e-mail address.*the address your practice has in your record/,
    );
    const dutch = await call('Person/$register-digid', {
      method: 'POST',
      headers: { 'accept-language': 'nl' },
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [{ name: 'practice', valueReference: { reference: 'Organization/berk' } }, ...someone],
      }),
    });
    expect(dutch.status).to.equal(400);
    expect(diagnostics(dutch.body)).to.match(/geen e-mailadres op/);
    expect(ids((await call('Person?organization=Organization/berk')).body)).to.deep.equal([]);

    // The address's owner registers with it by e-mail and gets the link (not "someone tried").
    const page = async (url: string, body: Json) => {
      const res = await fetch(url.startsWith('http') ? url : `${env.server.base}${url}`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json', ...EN },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const before = smtp.messages.length;
    const asked = await page('/portal/register', {
      email: 'buurvrouw@example.nl',
      password: PASSWORD,
      practice: 'linde',
    });
    expect(asked.status, JSON.stringify(asked.body)).to.equal(202);
    const mail = await smtp.next(
      (m) => addressOf(m).includes('buurvrouw@example.nl') && smtp.messages.indexOf(m) >= before,
    );
    expect(mail.subject).to.match(/Bevestig/);
    const done = await page(confirmLinkIn(mail), { password: PASSWORD });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
  });

  it('five registrations at once make one account: one 201, the others 200 with that account', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => register('berk')));
    expect(answers.map((a) => a.status).sort()).to.deep.equal([200, 200, 200, 200, 201]);
    const made = answers.find((a) => a.status === 201)!.body;
    expect(new Set(answers.map((a) => a.body.id))).to.deep.equal(new Set([made.id]));
    const own = await call('Person?patient=Patient/pat-1&organization=Organization/berk&_count=50');
    expect(ids(own.body)).to.deep.equal([`Person/${made.id}`]);
  });
});
