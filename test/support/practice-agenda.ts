import type { ParsedMail } from 'mailparser';
import { callAs, putResources, startTestServer, type TestServer } from './harness.ts';
import { backendToken, registerBackendClient } from './smart-backend.ts';
import { personToken } from './smart-flow.ts';
import { addressOf, freePort, startSmtp } from './smtp.ts';

export type Json = Record<string, any>;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
export const EN = { 'accept-language': 'en' };
export const NL = { 'accept-language': 'nl' };
const UZI = 'http://fhir.nl/fhir/NamingSystem/uzi-rolcode';
const PRACTICE_ROLE = 'https://zorgpoort.nl/fhir/CodeSystem/practice-role';
export const PATIENT_SCOPE = 'openid fhirUser patient/*.cruds';

const role = (id: string, person: string, org: string, system: string, code: string) =>
  [
    'PractitionerRole',
    id,
    {
      active: true,
      practitioner: { reference: `Practitioner/${person}` },
      organization: { reference: `Organization/${org}` },
      code: [{ coding: [{ system, code }] }],
    },
  ] as const;

export const patient = (id: string, practice: string, email?: string) =>
  [
    'Patient',
    id,
    {
      name: [{ family: `Patiënt ${id}`, given: ['Test'] }],
      generalPractitioner: [{ reference: `Organization/${practice}` }],
      ...(email ? { telecom: [{ system: 'email', value: email }] } : {}),
    },
  ] as const;

/**
 * Two GP practices and a hospital: De Linde (`linde`: GP Jansen, physician assistant Pieters,
 * assistant Bakker, its system client), De Eik (`eik`: assistant Smit) and a hospital internist
 * with no patient of either. Patients p1 and p2 of De Linde (with e-mail), p3 of De Eik. A real
 * SMTP server reads the mails; the server's clock is `clock.now`.
 */
export function agendaWorld() {
  const clock = { now: Date.parse('2026-12-07T09:00:00Z') };
  const tokens: Record<string, string> = {};
  const state: { server: TestServer; smtp: Awaited<ReturnType<typeof startSmtp>> } = {} as never;
  const call = callAs(() => state.server, tokens);
  const world = {
    clock,
    tokens,
    call,
    get server() {
      return state.server;
    },
    get smtp() {
      return state.smtp;
    },
    /** An instant `ms` from the server's now. */
    at: (ms: number) => new Date(clock.now + ms).toISOString(),
    /** POST a resource as `who`. */
    create: (who: string, resource: Json, headers: Record<string, string> = {}) =>
      call(resource.resourceType, who, { method: 'POST', headers, body: JSON.stringify(resource) }),
    /** A Parameters body for an operation. */
    params: (...parameter: Json[]) => JSON.stringify({ resourceType: 'Parameters', parameter }),
    book: (who: string, slot: string, parameter: Json[] = [], headers: Record<string, string> = {}) =>
      call(`Slot/${slot}/$book`, who, {
        method: 'POST',
        headers,
        body: JSON.stringify({ resourceType: 'Parameters', parameter }),
      }),
    cancel: (who: string, appointment: string, reason?: string, headers: Record<string, string> = {}) =>
      call(`Appointment/${appointment}/$cancel`, who, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          resourceType: 'Parameters',
          parameter: reason ? [{ name: 'reason', valueString: reason }] : [],
        }),
      }),
    /** The ids a search answers, as `Type/id`. */
    ids: (bundle: Json) =>
      ((bundle.entry ?? []) as Json[]).map((e) => `${e.resource.resourceType}/${e.resource.id}`).sort(),
    /** As the trusted loader sees it. */
    read: async (path: string) => (await state.server.fetch(path)).json() as Promise<Json>,
    /** The first mail to `address` whose subject or text has `part` (mails arrive in any order). */
    mailTo: (address: string, part: string): Promise<ParsedMail> =>
      state.smtp.next(
        (m) => addressOf(m).includes(address) && `${m.subject ?? ''}\n${m.text ?? ''}`.includes(part),
      ),
    slot: (schedule: string, start: number, minutes = 10, status = 'free') => ({
      resourceType: 'Slot',
      schedule: { reference: `Schedule/${schedule}` },
      status,
      start: new Date(clock.now + start).toISOString(),
      end: new Date(clock.now + start + minutes * 60_000).toISOString(),
    }),
    async patientToken(id: string): Promise<string> {
      return personToken(state.server, `Patient/${id}`, PATIENT_SCOPE);
    },
    async start(extraPatients: readonly (readonly [string, string, object])[] = []) {
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
        ['Organization', 'linde', { name: 'Huisartsenpraktijk De Linde' }],
        ['Organization', 'eik', { name: 'Huisartsenpraktijk De Eik' }],
        ['Organization', 'zkh', { name: 'Ziekenhuis Rijnstad' }],
        [
          'Location',
          'linde-loc',
          { name: 'Spreekkamer 1', managingOrganization: { reference: 'Organization/linde' } },
        ],
        ['Practitioner', 'jansen', { name: [{ prefix: ['dr.'], given: ['Anna'], family: 'Jansen' }] }],
        ['Practitioner', 'pieters', { name: [{ given: ['Piet'], family: 'Pieters' }] }],
        ['Practitioner', 'bakker', { name: [{ given: ['Bea'], family: 'Bakker' }] }],
        ['Practitioner', 'smit', { name: [{ given: ['Sam'], family: 'Smit' }] }],
        ['Practitioner', 'internist', { name: [{ family: 'Internist' }] }],
        role('jansen-gp', 'jansen', 'linde', UZI, '01.015'),
        role('pieters-pa', 'pieters', 'linde', UZI, '81.000'),
        role('bakker-assistant', 'bakker', 'linde', PRACTICE_ROLE, 'assistant'),
        role('smit-assistant', 'smit', 'eik', PRACTICE_ROLE, 'assistant'),
        role('internist-role', 'internist', 'zkh', UZI, '01.018'),
        patient('p1', 'linde', 'p1@example.org'),
        patient('p2', 'linde', 'p2@example.org'),
        patient('p3', 'eik', 'p3@example.org'),
        ...extraPatients,
      ]);
      for (const who of ['jansen', 'pieters', 'bakker', 'smit', 'internist']) {
        tokens[who] = await personToken(state.server, `Practitioner/${who}`);
      }
      for (const who of ['p1', 'p2', 'p3']) tokens[who] = await world.patientToken(who);
      const scope = 'system/*.cruds';
      const system = await registerBackendClient(state.server, { scope, organizationId: 'linde' });
      tokens.lindeSystem = `Bearer ${await backendToken(state.server, system, scope)}`;
    },
    async close() {
      await state.server?.close();
      await state.smtp?.close();
    },
  };
  return world;
}
