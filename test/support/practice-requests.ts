import type { ParsedMail } from 'mailparser';
import { practiceConfig, type PracticeConfig } from '../../server/domain/practice/config.ts';
import { callAs, putResources, startTestServer, type TestServer } from './harness.ts';
import { personToken } from './smart-flow.ts';
import { addressOf, freePort, startSmtp } from './smtp.ts';

export type Json = Record<string, any>;
export const PORTAL = 'https://zorgpoort.nl/fhir/CodeSystem/practice-portal';
export const UZI_ROLE = 'http://fhir.nl/fhir/NamingSystem/uzi-rolcode';
export const PRACTICE_ROLE = 'https://zorgpoort.nl/fhir/CodeSystem/practice-role';
export const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
export const DAY = 86_400_000;
/** English answers (undici's fetch sends `Accept-Language: *`, which the server answers in Dutch). */
export const EN = { 'accept-language': 'en' };
const PATIENT_SCOPE = 'openid fhirUser patient/*.cruds';

export const post = (parameter: Json[] = [], headers: Record<string, string> = EN) => ({
  method: 'POST',
  headers,
  body: JSON.stringify({ resourceType: 'Parameters', parameter }),
});
export const out = (body: Json, name: string) => body.parameter?.find((p: Json) => p.name === name);
export const diagnostics = (body: Json) => (body.issue ?? []).map((i: Json) => i.diagnostics).join(' ');
export const entries = (bundle: Json): Json[] => (bundle.entry ?? []).map((e: Json) => e.resource);

const role = (id: string, person: string, org: string, code: [string, string]) =>
  [
    'PractitionerRole',
    id,
    {
      active: true,
      practitioner: { reference: `Practitioner/${person}` },
      organization: { reference: `Organization/${org}` },
      code: [{ coding: [{ system: code[0], code: code[1] }] }],
    },
  ] as const;
const GP: [string, string] = [UZI_ROLE, '01.015'];
const PA: [string, string] = [UZI_ROLE, '81.000'];
const ASSISTANT: [string, string] = [PRACTICE_ROLE, 'assistant'];

export const patient = (id: string, family: string, email: string | undefined, practice?: string) =>
  [
    'Patient',
    id,
    {
      name: [{ family, given: ['Test'] }],
      birthDate: '1970-01-01',
      ...(email ? { telecom: [{ system: 'email', value: email }] } : {}),
      ...(practice ? { generalPractitioner: [{ reference: `Organization/${practice}` }] } : {}),
    },
  ] as const;

/**
 * A GP practice (`praktijk`, "Huisartsenpraktijk De Linde") with its GP (`gp`), physician
 * assistant (`pa`) and assistant (`assistent`); another practice (`elders`) with its own GP
 * (`anderegp`) and assistant (`andereassistent`); a pharmacy; an SMTP server; the server's clock
 * to move (`clock.now`); patients added by each test file, logged in with `login`.
 */
export function practiceWorld() {
  const clock = { now: Date.parse('2027-03-01T09:00:00Z') };
  const tokens: Record<string, string> = {};
  const state: { server: TestServer; smtp: Awaited<ReturnType<typeof startSmtp>> } = {} as never;
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
    mailTo: (address: string, after = 0): Promise<ParsedMail> =>
      state.smtp.next((m) => addressOf(m).includes(address) && state.smtp.messages.indexOf(m) >= after),
    /** Every mail to `address` so far. */
    mailsTo: (address: string) => state.smtp.messages.filter((m) => addressOf(m).includes(address)),
    async login(name: string, reference: string) {
      tokens[name] = await personToken(
        state.server,
        reference,
        reference.startsWith('Patient/') ? PATIENT_SCOPE : undefined,
      );
    },
    async start(config: Partial<PracticeConfig['requests']> = {}) {
      state.smtp = await startSmtp(await freePort());
      const base = practiceConfig({});
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
            practice: {
              ...base,
              requests: { ...base.requests, portalUrl: 'https://portaal.delinde.test', ...config },
            },
          },
        },
      );
      await putResources(state.server, [
        ['Organization', 'praktijk', { name: 'Huisartsenpraktijk De Linde' }],
        ['Organization', 'elders', { name: 'Huisartsenpraktijk Elders' }],
        ['Organization', 'apotheek', { name: 'Apotheek Centrum' }],
        ['Practitioner', 'gp', { name: [{ family: 'Huisarts', given: ['Hanna'] }] }],
        ['Practitioner', 'pa', { name: [{ family: 'Assistent', given: ['Paul'] }] }],
        ['Practitioner', 'assistent', { name: [{ family: 'Balie', given: ['Anna'] }] }],
        ['Practitioner', 'anderegp', { name: [{ family: 'Elders', given: ['Egbert'] }] }],
        ['Practitioner', 'andereassistent', { name: [{ family: 'Elders', given: ['Eva'] }] }],
        role('gp-role', 'gp', 'praktijk', GP),
        role('pa-role', 'pa', 'praktijk', PA),
        role('assistent-role', 'assistent', 'praktijk', ASSISTANT),
        role('anderegp-role', 'anderegp', 'elders', GP),
        role('andereassistent-role', 'andereassistent', 'elders', ASSISTANT),
      ]);
      for (const who of ['gp', 'pa', 'assistent', 'anderegp', 'andereassistent']) {
        await w.login(who, `Practitioner/${who}`);
      }
    },
    async close() {
      await state.server?.close();
      await state.smtp?.close();
    },
  };
  return w;
}
