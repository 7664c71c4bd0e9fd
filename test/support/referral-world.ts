import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../server/config.ts';
import type { Hl7Sender } from '../../server/hl7v2/listener.ts';
import type { Hl7OutboundConfig } from '../../server/hl7v2/outbound-config.ts';
import { callAs, putResources, startTestServer, type TestServer } from './harness.ts';
import { mllpReceiver } from './mllp-receiver.ts';
import { backendToken, registerBackendClient } from './smart-backend.ts';
import { personToken } from './smart-flow.ts';
import { freePort, startSmtp } from './smtp.ts';

type Json = Record<string, any>;

export const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
export const SHARED_WITH = 'https://zorgpoort.nl/fhir/CodeSystem/shared-with';
const FN = 'https://zorgpoort.nl/fhir/CodeSystem/referral-function';
const AGB = 'http://fhir.nl/fhir/NamingSystem/agb-z';
export const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
export const QUESTIONNAIRE_URL = 'https://zorgpoort.test/fhir/Questionnaire/cardiologie-verwijzing';
/** The hospital's AGB code: it has an HL7 v2 destination (the in-test MLLP listener). */
export const HOSPITAL_AGB = '06010713';

const held = (org: string) => ({ meta: { tag: [{ system: CUSTODIAN, code: org }] } });
const role = (practitioner: string, org: string, code: string, active = true) => ({
  active,
  practitioner: { reference: `Practitioner/${practitioner}` },
  organization: { reference: `Organization/${org}` },
  code: [{ coding: [{ system: FN, code }] }],
  identifier: [{ system: AGB, value: '01001234' }],
});

/** One SMS gateway in the test: every text POSTed to it. */
async function smsGateway() {
  const received: { to: string; text: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * The referral network of the $refer tests: a GP practice (org-gp) with GP Jansen (active gp
 * function), a GP whose function is deactivated, one whose account is, an admin without a care
 * function; a hospital (org-zkh, with an HL7 v2 destination) with a cardiology offering and its
 * questions, a specialist and a system client; a clinic without a destination offering
 * diagnostics; patients the practice knows (with a Condition of its own) and one it does not.
 * The mail server, SMS gateway and MLLP listener are real, in this process.
 */
export async function referralWorld(options: { hl7Senders?: Hl7Sender[] } = {}) {
  const smtp = await startSmtp(await freePort());
  const sms = await smsGateway();
  const mllp = mllpReceiver(await freePort());
  await mllp.up();
  const outbound: Hl7OutboundConfig = {
    application: 'ZORGPOORT',
    processingId: 'T',
    destinations: new Map([
      [
        HOSPITAL_AGB,
        { agb: HOSPITAL_AGB, endpoint: { host: '127.0.0.1', port: mllp.port }, application: 'HIX' },
      ],
    ]),
    retrySeconds: 0.2,
    retryMaxSeconds: 0.5,
    ackTimeoutMs: 1500,
    retentionDays: 30,
  };
  const base = loadConfig({});
  const server: TestServer = await startTestServer(
    {},
    {
      config: {
        smart: { ...base.smart, devLogin: true, cookieKeys: [], backendTokenSeconds: 3600 },
        mail: { smtpUrl: smtp.url, from: 'Zorgpoort <noreply@zorgpoort.test>', retryDelaySeconds: 1 },
        sms: { webhookUrl: sms.url },
        hl7Outbound: outbound,
        // An inbound MLLP listener, when a test sends as the hospital's HIS (senders added later).
        ...(options.hl7Senders
          ? {
              hl7: {
                port: 0,
                host: '127.0.0.1',
                maxFrameBytes: 1 << 20,
                maxConnections: 16,
                idleSeconds: 60,
                senders: options.hl7Senders,
              },
            }
          : {}),
      },
    },
  );
  await putResources(server, [
    [
      'Organization',
      'org-gp',
      { name: 'Huisartsenpraktijk De Linde', identifier: [{ system: AGB, value: '01051234' }] },
    ],
    [
      'Organization',
      'org-zkh',
      { name: 'Ziekenhuis Rijnstad', identifier: [{ system: AGB, value: HOSPITAL_AGB }] },
    ],
    [
      'Organization',
      'org-lab',
      { name: 'Diagnostisch Centrum Oost', identifier: [{ system: AGB, value: '22220000' }] },
    ],
    ['Organization', 'org-other', { name: 'Andere Praktijk' }],
    ['Practitioner', 'gp1', { active: true, name: [{ family: 'Jansen', given: ['Pieter'] }] }],
    ['PractitionerRole', 'gp1-gp', role('gp1', 'org-gp', 'gp')],
    ['PractitionerRole', 'gp1-admin', role('gp1', 'org-gp', 'admin-reports')],
    ['Practitioner', 'gp2', { active: true, name: [{ family: 'Smit' }] }],
    ['PractitionerRole', 'gp2-gp', role('gp2', 'org-gp', 'gp', false)],
    // Deactivated by the test once it holds a token (a deactivated account cannot log in at all).
    ['Practitioner', 'gp3', { active: true, name: [{ family: 'Bakker' }] }],
    ['PractitionerRole', 'gp3-gp', role('gp3', 'org-gp', 'gp')],
    ['Practitioner', 'adm1', { active: true, name: [{ family: 'Visser' }] }],
    ['PractitionerRole', 'adm1-admin', role('adm1', 'org-gp', 'admin-responsible')],
    ['Practitioner', 'spec1', { active: true, name: [{ family: 'de Boer' }] }],
    ['PractitionerRole', 'spec1-zkh', role('spec1', 'org-zkh', 'specialist')],
    [
      'Questionnaire',
      'q-cardio',
      {
        url: QUESTIONNAIRE_URL,
        status: 'active',
        title: 'Vragen bij verwijzing cardiologie',
        item: [
          { linkId: 'pain', text: 'Heeft de patiënt pijn op de borst?', type: 'boolean', required: true },
          { linkId: 'since', text: 'Sinds wanneer?', type: 'date' },
          {
            linkId: 'urgency',
            text: 'Urgentie',
            type: 'choice',
            required: true,
            answerOption: [
              {
                valueCoding: {
                  system: 'https://zorgpoort.test/urgency',
                  code: 'normal',
                  display: 'Regulier',
                },
              },
              { valueCoding: { system: 'https://zorgpoort.test/urgency', code: 'urgent', display: 'Spoed' } },
            ],
          },
          {
            linkId: 'context',
            type: 'group',
            text: 'Achtergrond',
            item: [{ linkId: 'remarks', text: 'Opmerkingen', type: 'text' }],
          },
        ],
      },
    ],
    [
      'HealthcareService',
      'hs-cardio',
      {
        active: true,
        providedBy: { reference: 'Organization/org-zkh' },
        name: 'Cardiologie polikliniek',
        category: [
          { coding: [{ system: 'https://zorgpoort.nl/fhir/CodeSystem/offering-kind', code: 'referral' }] },
        ],
        extension: [
          {
            url: 'https://zorgpoort.nl/fhir/StructureDefinition/offering-questionnaire',
            valueCanonical: QUESTIONNAIRE_URL,
          },
        ],
      },
    ],
    [
      'HealthcareService',
      'hs-lab',
      {
        active: true,
        providedBy: { reference: 'Organization/org-lab' },
        name: 'Echo abdomen',
        category: [
          { coding: [{ system: 'https://zorgpoort.nl/fhir/CodeSystem/offering-kind', code: 'diagnostics' }] },
        ],
      },
    ],
    [
      'HealthcareService',
      'hs-closed',
      { active: false, providedBy: { reference: 'Organization/org-zkh' }, name: 'Gesloten' },
    ],
    [
      'Patient',
      'p-known',
      {
        ...held('org-gp'),
        identifier: [{ system: BSN, value: '999911120' }],
        name: [{ family: 'van der Berg', given: ['Anna'] }],
        gender: 'female',
        birthDate: '1961-04-23',
        generalPractitioner: [{ reference: 'Organization/org-gp' }],
      },
    ],
    [
      'Condition',
      'c-known',
      {
        ...held('org-gp'),
        subject: { reference: 'Patient/p-known' },
        code: { text: 'Diabetes mellitus type 2' },
      },
    ],
    [
      'Patient',
      'p-second',
      {
        ...held('org-gp'),
        name: [{ family: 'Mulder' }],
        birthDate: '1970-01-01',
        generalPractitioner: [{ reference: 'Organization/org-gp' }],
      },
    ],
    [
      'Condition',
      'c-second',
      { ...held('org-gp'), subject: { reference: 'Patient/p-second' }, code: { text: 'Astma' } },
    ],
    // Known elsewhere only: the practice may not see this record.
    [
      'Patient',
      'p-hidden',
      {
        ...held('org-other'),
        identifier: [{ system: BSN, value: '999999333' }],
        name: [{ family: 'Verborgen', given: ['Henk'] }],
        birthDate: '1950-05-05',
        generalPractitioner: [{ reference: 'Organization/org-other' }],
      },
    ],
  ]);
  const tokens: Record<string, string> = {};
  for (const who of ['gp1', 'gp2', 'gp3', 'adm1', 'spec1'])
    tokens[who] = await personToken(server, `Practitioner/${who}`);
  const zkh = await registerBackendClient(server, { scope: 'system/*.cruds', organizationId: 'org-zkh' });
  tokens.zkh = `Bearer ${await backendToken(server, zkh)}`;
  const gpSystem = await registerBackendClient(server, { scope: 'system/*.cruds', organizationId: 'org-gp' });
  tokens.gpSystem = `Bearer ${await backendToken(server, gpSystem)}`;
  tokens.trusted = server.authorization!;
  const call = callAs(() => server, tokens);
  return {
    server,
    smtp,
    sms,
    mllp,
    tokens,
    call,
    /** A POST as `as`, in English (fetch's own Accept-Language, `*`, takes the server's first). */
    post: (path: string, as: string, body: Json) =>
      call(path, as, { method: 'POST', body: JSON.stringify(body), headers: { 'accept-language': 'en' } }),
    /** Logs in as a patient (their app, patient/ scopes). */
    patientToken: async (id: string, scope = 'openid fhirUser patient/*.rs') =>
      personToken(server, `Patient/${id}`, scope),
    async close() {
      await server.close();
      await smtp.close();
      await sms.close();
      await mllp.down();
    },
  };
}

export type ReferralWorld = Awaited<ReturnType<typeof referralWorld>>;

/** A $refer body: the answers and letter every offering of the world takes, plus `extra`. */
export function referBody(extra: Json[], options: { answers?: Json[]; letter?: Json[] } = {}): Json {
  return {
    resourceType: 'Parameters',
    parameter: [
      ...extra,
      ...(options.answers ?? [
        {
          name: 'answer',
          part: [
            { name: 'linkId', valueString: 'pain' },
            { name: 'value', valueBoolean: true },
          ],
        },
        {
          name: 'answer',
          part: [
            { name: 'linkId', valueString: 'urgency' },
            {
              name: 'value',
              valueCoding: { system: 'https://zorgpoort.test/urgency', code: 'urgent', display: 'Spoed' },
            },
          ],
        },
      ]),
      {
        name: 'letter',
        part: options.letter ?? [
          { name: 'reason', valueString: 'Pijn op de borst bij inspanning' },
          { name: 'question', valueString: 'Graag cardiologische analyse' },
          { name: 'medication', valueString: 'Metformine 500 mg 2dd1' },
        ],
      },
      {
        name: 'reason',
        valueCoding: {
          system: 'http://hl7.org/fhir/sid/icpc-1-nl',
          code: 'K01',
          display: 'Pijn toegeschreven aan hart',
        },
      },
    ],
  };
}

export const out = (body: Json, name: string) => body.parameter?.find((p: Json) => p.name === name);
export const outAll = (body: Json, name: string) =>
  (body.parameter ?? []).filter((p: Json) => p.name === name);
export const ref = (body: Json, name: string) => out(body, name)?.valueReference?.reference as string;
export const part = (p: Json, name: string) => p?.part?.find((x: Json) => x.name === name);
