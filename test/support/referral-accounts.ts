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
export const FN = 'https://zorgpoort.nl/fhir/CodeSystem/referral-function';
export const CLUSTER = 'https://zorgpoort.nl/fhir/StructureDefinition/cluster';
export const VERIFIED = 'https://zorgpoort.nl/fhir/StructureDefinition/function-verified';
export const KIND = 'https://zorgpoort.nl/fhir/CodeSystem/organization-kind';
export const AGB = 'http://fhir.nl/fhir/NamingSystem/agb-z';
export const BIG = 'http://fhir.nl/fhir/NamingSystem/big';
export const DAY = 86_400_000;
export const PASSWORD = 'groene tulpen in de regen';
const SCOPE = 'openid fhirUser user/*.cruds';
/** English answers (undici's fetch sends `Accept-Language: *`, which the server answers in Dutch). */
export const EN = { 'accept-language': 'en' };

export const cluster = (id: string, name: string, of: string) =>
  [
    'Organization',
    id,
    {
      name,
      type: [{ coding: [{ system: KIND, code: 'cluster' }] }],
      partOf: { reference: `Organization/${of}` },
    },
  ] as const;

export const role = (
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

export const person = (id: string, given: string, family: string) =>
  ['Practitioner', id, { active: true, name: [{ family, given: [given] }] }] as const;

/** A `$invite-colleague` request: functions as codes, or `{ part }` with code and AGB. */
export const invite = (email: string, functions: (string | Json)[], clusters: string[] = []) => ({
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
export const post = (parameter: Json[] = []) => ({
  method: 'POST',
  headers: EN,
  body: JSON.stringify({ resourceType: 'Parameters', parameter }),
});
export const out = (body: Json, name: string) => body.parameter?.find((p: Json) => p.name === name);
export const partOf = (p: Json, name: string) => p.part.find((x: Json) => x.name === name);
export const linkIn = (mail: ParsedMail) =>
  /https?:\/\/\S+\/accounts\/invitations\/[A-Za-z0-9_-]+/.exec(mail.text ?? '')![0];
export const diagnostics = (body: Json) => (body.issue ?? []).map((i: Json) => i.diagnostics).join(' ');
export const codeOf = (role: Json) => role.code[0].coding[0].code as string;

/**
 * A hospital (`zkh`) with clusters A and B, another organisation, responsible admins (`boss`,
 * `boss2` of the whole hospital, `adminA` of cluster A, `elsewhere` of the other one), an SMTP
 * server, the server's clock to set (`clock.now`), and the invitee's and a browser's steps.
 */
type Smtp = Awaited<ReturnType<typeof startSmtp>>;

export function accountsWorld() {
  const clock = { now: Date.parse('2026-12-07T09:00:00Z') };
  const tokens: Record<string, string> = {};
  const state: { server: TestServer; smtp: Smtp } = {} as never;
  const mailTo = (address: string, after = 0): Promise<ParsedMail> =>
    state.smtp.next((m) => addressOf(m).includes(address) && state.smtp.messages.indexOf(m) >= after);
  const w = {
    get server() {
      return state.server;
    },
    get smtp() {
      return state.smtp;
    },
    clock,
    tokens,
    call: callAs(() => state.server, tokens),
    read: async (path: string) => (await state.server.fetch(path)).json() as Promise<Json>,
    /** The first mail to `address` among those from the `after`th on. */
    mailTo,
    /** Follows a link as the invitee (no login): JSON in, JSON out. */
    async accept(link: string, body: Json, headers: Record<string, string> = {}) {
      const res = await fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Json };
    },
    /** A browser's password login on the SMART login page, the one-time code by mail: a token, or the refusal's status. */
    async passwordLogin(email: string, password: string): Promise<{ status: number; token?: string }> {
      const app = await registerApp(state.server, { scope: SCOPE });
      const jar = new CookieJar();
      const { verifier, challenge } = pkce();
      const page = await browse(
        jar,
        authorizeUrl(state.server, app, {
          scope: SCOPE,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
      );
      const action = formAction(state.server, page.text, '/password');
      const before = state.smtp.messages.length;
      const codePage = await browse(jar, action, { method: 'POST', form: { email, password } });
      if (codePage.res.status !== 200) return { status: codePage.res.status };
      const code = /\b(\d{6})\b/.exec((await mailTo(email, before)).text ?? '')![1]!;
      const consent = await browse(jar, action.replace(/\/password$/, '/password-code'), {
        method: 'POST',
        form: { code },
        stopAt: REDIRECT_URI,
      });
      if (consent.res.status !== 200) return { status: consent.res.status };
      const back = await browse(jar, formAction(state.server, consent.text, '/confirm'), {
        method: 'POST',
        form: {},
        stopAt: REDIRECT_URI,
      });
      const token = await exchangeCode(
        state.server,
        app,
        new URL(back.url).searchParams.get('code'),
        verifier,
      );
      return { status: token.status, token: `Bearer ${token.body.access_token as string}` };
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
          },
        },
      );
      await putResources(state.server, [
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
      for (const who of ['boss', 'boss2', 'adminA', 'elsewhere']) {
        tokens[who] = await personToken(state.server, `Practitioner/${who}`);
      }
    },
    async close() {
      await state.server?.close();
      await state.smtp?.close();
    },
  };
  return w;
}
