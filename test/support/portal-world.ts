import type { ParsedMail } from 'mailparser';
import { callAs, putResources, startTestServer, type TestServer } from './harness.ts';
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
} from './smart-flow.ts';
import { addressOf, freePort, startSmtp } from './smtp.ts';

export type Json = Record<string, any>;
export const HOUR = 3_600_000;
export const PASSWORD = 'zeven blauwe fietsen bij de molen';
/** English answers (undici's fetch sends `Accept-Language: *`, which the server answers in Dutch). */
export const EN = { 'accept-language': 'en' };
export const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
export const PORTAL_TAG = 'https://zorgpoort.nl/fhir/CodeSystem/portal-account';
/** What a portal app asks for: the patient's own data, their Person, and a launch context when there is one. */
export const PORTAL_SCOPE = 'openid fhirUser offline_access launch/patient patient/*.rs user/*.rs';
const ROLE = {
  assistant: { system: 'https://zorgpoort.nl/fhir/CodeSystem/practice-role', code: 'assistant' },
  gp: { system: 'http://fhir.nl/fhir/NamingSystem/uzi-rolcode', code: '01.015' },
};

export const parameters = (parameter: Json[]) => ({
  method: 'POST',
  headers: EN,
  body: JSON.stringify({ resourceType: 'Parameters', parameter }),
});
export const out = (body: Json, name: string) => body.parameter?.find((p: Json) => p.name === name);
export const diagnostics = (body: Json) => (body.issue ?? []).map((i: Json) => i.diagnostics).join(' ');
export const codeIn = (mail: ParsedMail) => /\b(\d{6})\b/.exec(mail.text ?? '')![1]!;
export const confirmLinkIn = (mail: ParsedMail) =>
  /https?:\/\/\S+\/portal\/confirm\/[A-Za-z0-9_-]+/.exec(mail.text ?? '')![0];
export const ids = (bundle: Json) =>
  (bundle.entry ?? []).map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`);

type Smtp = Awaited<ReturnType<typeof startSmtp>>;

/**
 * Two GP practices (`linde` with assistant `assistent` and GP `huisarts`; `eik` with assistant
 * `vreemde`), patients of each with some medical data, an SMTP server reading every mail, the
 * server's clock to move (`clock.now`), and the steps of a patient: register by e-mail, confirm,
 * log in with password and the login code from the mail.
 */
export function portalWorld(
  config: Json = {},
  /** The resources loaded at start, and the staff logged in then (token name → Practitioner id). */
  setup: { world?: [string, string, object][]; staff?: Record<string, string> } = {},
) {
  const clock = { now: Date.parse('2026-12-07T09:00:00Z') };
  const tokens: Record<string, string> = {};
  const state: { server: TestServer; smtp: Smtp } = {} as never;
  /** The first mail to `address`, among those from the `after`th on, whose subject matches. */
  const mailTo = (address: string, after = 0, subject?: RegExp): Promise<ParsedMail> =>
    state.smtp.next(
      (m) =>
        addressOf(m).includes(address) &&
        state.smtp.messages.indexOf(m) >= after &&
        (!subject || subject.test(m.subject ?? '')),
    );
  const mailsTo = (address: string) => state.smtp.messages.filter((m) => addressOf(m).includes(address));

  /** A JSON POST (or GET) outside the FHIR API, as the registration pages' clients make them. */
  async function page(path: string, body?: Json, headers: Record<string, string> = {}) {
    const res = await fetch(path.startsWith('http') ? path : `${state.server.base}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: {
        accept: 'application/json',
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...EN,
        ...headers,
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
  }

  const w = {
    get server() {
      return state.server;
    },
    get smtp() {
      return state.smtp;
    },
    clock,
    tokens,
    mailTo,
    mailsTo,
    page,
    call: callAs(() => state.server, tokens),
    register: (email: string, practice = 'linde', password = PASSWORD, name?: string) =>
      page('/portal/register', { email, password, practice, ...(name ? { name } : {}) }),
    /** Registers `email` and confirms it from the mail: the new Person's reference. */
    async registerAndConfirm(email: string, practice = 'linde'): Promise<string> {
      const before = state.smtp.messages.length;
      const made = await w.register(email, practice);
      if (made.status !== 202)
        throw new Error(`register ${email}: ${made.status} ${JSON.stringify(made.body)}`);
      const link = confirmLinkIn(await mailTo(email, before, /Bevestig/));
      const done = await page(link, { password: PASSWORD });
      if (done.status !== 201)
        throw new Error(`confirm ${email}: ${done.status} ${JSON.stringify(done.body)}`);
      return done.body.person as string;
    },
    /** A browser's password login through the SMART login page, the login code by mail: the bearer token. */
    async logIn(email: string, password = PASSWORD, scope = PORTAL_SCOPE): Promise<string> {
      const app = await registerApp(state.server, { scope });
      const jar = new CookieJar();
      const { verifier, challenge } = pkce();
      const login = await browse(
        jar,
        authorizeUrl(state.server, app, { scope, code_challenge: challenge, code_challenge_method: 'S256' }),
      );
      const action = formAction(state.server, login.text, '/password');
      const before = state.smtp.messages.length;
      const codePage = await browse(jar, action, { method: 'POST', form: { email, password } });
      if (codePage.res.status !== 200) throw new Error(`password of ${email}: ${codePage.res.status}`);
      const code = codeIn(await mailTo(email, before, /verificatiecode/));
      let step = await browse(jar, action.replace(/\/password$/, '/password-code'), {
        method: 'POST',
        form: { code },
        stopAt: REDIRECT_URI,
      });
      if (!step.url.startsWith(REDIRECT_URI)) {
        step = await browse(jar, formAction(state.server, step.text, '/confirm'), {
          method: 'POST',
          form: {},
          stopAt: REDIRECT_URI,
        });
      }
      if (!step.url.startsWith(REDIRECT_URI))
        throw new Error(`login of ${email} did not finish:\n${step.text}`);
      const token = await exchangeCode(
        state.server,
        app,
        new URL(step.url).searchParams.get('code'),
        verifier,
      );
      if (token.status !== 200) throw new Error(`token of ${email}: ${JSON.stringify(token.body)}`);
      return `Bearer ${token.body.access_token as string}`;
    },
    /** The assistant links `person` to `patient` with what they checked on the phone. */
    link: (staff: string, person: string, patient: string, bsn: string, email: string) =>
      w.call(
        `${person}/$link-patient`,
        staff,
        parameters([
          { name: 'patient', valueReference: { reference: patient } },
          { name: 'bsn', valueString: bsn },
          { name: 'email', valueString: email },
        ]),
      ),
    sessionCode: (token: string, service = 'record') =>
      w.call('$session-code', token, parameters([{ name: 'service', valueCode: service }])),
    openService: (token: string, code: string, service = 'record') =>
      w.call(
        '$open-service',
        token,
        parameters([
          { name: 'service', valueCode: service },
          { name: 'code', valueString: code },
        ]),
      ),
    /** Requests a session code and reads it from the mail. */
    async codeFor(token: string, email: string, service = 'record'): Promise<string> {
      const before = state.smtp.messages.length;
      const asked = await w.sessionCode(token, service);
      if (asked.status !== 200)
        throw new Error(`$session-code: ${asked.status} ${JSON.stringify(asked.body)}`);
      return codeIn(await mailTo(email, before, /sessiecode/));
    },
    async start() {
      state.smtp = await startSmtp(await freePort());
      state.server = await startTestServer(
        {},
        {
          clock: () => new Date(clock.now),
          config: {
            smart: { devLogin: true, cookieKeys: [] },
            mail: {
              smtpUrl: state.smtp.url,
              from: 'Zorgpoort <noreply@zorgpoort.test>',
              retryDelaySeconds: 1,
            },
            ...config,
          },
        },
      );
      await putResources(state.server, setup.world ?? WORLD);
      const staff = setup.staff ?? { assistent: 'assistent', huisarts: 'huisarts', vreemde: 'vreemde' };
      for (const [who, id] of Object.entries(staff)) {
        tokens[who] = await personToken(state.server, `Practitioner/${id}`);
      }
    },
    async close() {
      await state.server?.close();
      await state.smtp?.close();
    },
  };
  return w;
}

const staff = (id: string, practice: string, role: keyof typeof ROLE): [string, string, object][] => [
  ['Practitioner', id, { active: true, name: [{ family: id }] }],
  [
    'PractitionerRole',
    `${id}-${practice}`,
    {
      active: true,
      practitioner: { reference: `Practitioner/${id}` },
      organization: { reference: `Organization/${practice}` },
      code: [{ coding: [ROLE[role]] }],
    },
  ],
];

const patient = (id: string, bsn: string, practice: string, family: string): [string, string, object] => [
  'Patient',
  id,
  {
    identifier: [{ system: BSN, value: bsn }],
    name: [{ family, given: ['Test'] }],
    birthDate: '1980-04-01',
    generalPractitioner: [{ reference: `Organization/${practice}` }],
  },
];

/** The two practices, their staff, and patients with a little medical data. */
export const WORLD: [string, string, object][] = [
  [
    'Organization',
    'linde',
    { name: 'Huisartsenpraktijk De Linde', telecom: [{ system: 'email', value: 'praktijk@linde.test' }] },
  ],
  [
    'Organization',
    'eik',
    { name: 'Huisartsenpraktijk De Eik', telecom: [{ system: 'email', value: 'praktijk@eik.test' }] },
  ],
  ...staff('assistent', 'linde', 'assistant'),
  ...staff('huisarts', 'linde', 'gp'),
  ...staff('vreemde', 'eik', 'assistant'),
  patient('anna', '111222333', 'linde', 'Jansen'),
  patient('bob', '111222345', 'linde', 'Bakker'),
  patient('carla', '111222357', 'eik', 'Claes'),
  patient('dirk', '111222369', 'linde', 'Dekker'),
  ...['anna', 'bob', 'carla', 'dirk'].flatMap((p): [string, string, object][] => [
    [
      'Observation',
      `${p}-hb`,
      {
        status: 'final',
        category: [
          {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
            ],
          },
        ],
        code: { text: 'Hemoglobine' },
        subject: { reference: `Patient/${p}` },
        performer: [{ reference: 'Organization/linde' }],
        valueQuantity: { value: 8.1, unit: 'mmol/L' },
      },
    ],
    [
      'Encounter',
      `${p}-consult`,
      {
        status: 'finished',
        class: { code: 'AMB' },
        subject: { reference: `Patient/${p}` },
        serviceProvider: { reference: 'Organization/linde' },
      },
    ],
  ]),
];
