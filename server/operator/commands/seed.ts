import { readdirSync, readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair } from 'jose';
import type { Bundle, BundleEntry, Patient, Practitioner, PractitionerRole, Resource } from 'fhir/r4.js';
import { CUSTODIAN_SYSTEM } from '../../access/rules/treatment-relationship.ts';
import { parseFhirJson, stringifyFhirJson } from '../../fhir/format/json.ts';
import { createClientStore } from '../../fhir/storage/auth/client-store.ts';
import { clientCredentialsToken } from '../../cli/client-token.ts';
import type { CommandContext, OperatorCommand } from '../command.ts';
import { seedCollective, type SeedApi } from './seed-collective.ts';

const NETWORK = new URL('../../../seed/data/network.json', import.meta.url);
const SYNTHEA = new URL('../../../test/fixtures/synthea/', import.meta.url);
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const UZI = 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers';
const URA = 'http://fhir.nl/fhir/NamingSystem/ura';
/** Test BSNs (they pass the 11-test; the 99999xxxx range is never issued to a person). */
const DEMO_BSNS = [
  '999990007',
  '999990019',
  '999990020',
  '999990032',
  '999990044',
  '999990056',
  '999990068',
  '999990081',
  '999990093',
  '999990111',
];
const SCOPE = 'system/*.cruds';
const TEMPORARY_CLIENT = 'npm run seed (temporary)';

type Api = SeedApi;

/** A backend client for the seed's own requests: registered for this run and revoked after it. */
async function temporaryClient({ db, config, serverUrl }: CommandContext) {
  const clients = createClientStore(db.knex);
  // An earlier run that was cut off (Ctrl-C, a crash) could not revoke its client.
  for (const c of await clients.list()) {
    if (c.name === TEMPORARY_CLIENT && !c.revokedAt) await clients.revoke(c.clientId);
  }
  const alg = 'ES384';
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `seed-${Date.now()}`;
  const meta = { kid, alg, use: 'sig' };
  const { client } = await clients.register({
    name: TEMPORARY_CLIENT,
    scope: SCOPE,
    // It loads the whole network (as an integration engine would): not one organisation's.
    trusted: true,
    jwks: { keys: [{ ...(await exportJWK(publicKey)), ...meta }] },
  });
  const revoke = () => clients.revoke(client.clientId);
  const base = serverUrl!;
  let token: string;
  try {
    token = await clientCredentialsToken(
      base,
      { clientId: client.clientId, privateJwk: { ...(await exportJWK(privateKey)), ...meta } },
      SCOPE,
      config.baseUrl ?? base,
    );
  } catch (err) {
    await revoke();
    throw err;
  }
  const api: Api = {
    async json(method, path, body) {
      const res = await fetch(`${base}/${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/fhir+json',
          ...(body ? { 'content-type': 'application/fhir+json' } : {}),
        },
        ...(body ? { body: typeof body === 'string' ? body : stringifyFhirJson(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as never };
    },
  };
  return { api, revoke };
}

const nameOf = (r: { name?: { text?: string; given?: string[]; family?: string }[] }) => {
  const n = r.name?.[0];
  return n?.text ?? [...(n?.given ?? []), n?.family].filter(Boolean).join(' ');
};
const identifier = (r: { identifier?: { system?: string; value?: string }[] }, system: string) =>
  r.identifier?.find((i) => i.system === system)?.value ?? '';

const slug = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[^A-Za-z ]/g, '')
    .trim()
    .toLowerCase()
    .replace(/ +/g, '-');

/**
 * A Synthea patient made Dutch enough for the demo: a BSN, the demo practice's GP, and an id one
 * can type at a login (`Patient/demo-alfreda-wyman`; the other entries refer to it by fullUrl).
 * The practice holds the record (its custodian tag), so the GP reads it through the treatment
 * relationship alone; anyone else needs the patient's consent too (server/access/README.md).
 */
function dutchPatient(bundle: Bundle, bsn: string): Bundle {
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource as Resource | undefined;
    if (resource) {
      const tags = (resource.meta?.tag ?? []).filter((t) => t.system !== CUSTODIAN_SYSTEM);
      resource.meta = {
        ...resource.meta,
        tag: [...tags, { system: CUSTODIAN_SYSTEM, code: 'demo-praktijk' }],
      };
    }
    const patient = entry.resource as Patient | undefined;
    if (patient?.resourceType !== 'Patient') continue;
    patient.id = `demo-${slug(nameOf(patient))}`.slice(0, 64);
    entry.request = { method: 'PUT', url: `Patient/${patient.id}` };
    patient.identifier = [{ system: BSN, value: bsn }, ...(patient.identifier ?? [])];
    patient.generalPractitioner = [
      { reference: 'Practitioner/demo-huisarts', display: 'Anna de Vries' },
      { reference: 'Organization/demo-praktijk', display: 'Huisartsenpraktijk De Linde (demo)' },
    ];
  }
  return bundle;
}

function outcomeText(body: unknown): string {
  const issues = (body as { issue?: { diagnostics?: string }[] }).issue ?? [];
  return issues.map((i) => i.diagnostics).join('; ');
}

/** The people one can log in as, read back from the server (so the list is what is really there). */
async function printPeople(api: Api, out: CommandContext['out']) {
  const practitioners = await api.json<Bundle>(
    'GET',
    `PractitionerRole?practitioner.identifier=${encodeURIComponent(`${UZI}|`)}&_include=PractitionerRole:practitioner&_include=PractitionerRole:organization&_count=100`,
  );
  const byRef = new Map<string, Resource>();
  for (const e of practitioners.body.entry ?? []) {
    if (e.resource) byRef.set(`${e.resource.resourceType}/${e.resource.id}`, e.resource);
  }
  out.result('');
  out.result('Caregivers (UZI-pas, SAML, or the development login):');
  for (const e of practitioners.body.entry ?? []) {
    const role = e.resource as PractitionerRole;
    if (role.resourceType !== 'PractitionerRole') continue;
    const person = byRef.get(role.practitioner?.reference ?? '') as Practitioner | undefined;
    const org = byRef.get(role.organization?.reference ?? '') as
      { name?: string; identifier?: { system?: string; value?: string }[] } | undefined;
    if (!person) continue;
    const code = role.code?.[0]?.coding?.[0];
    out.result(
      `  ${nameOf(person).padEnd(18)} ${`Practitioner/${person.id}`.padEnd(30)} UZI ${identifier(person, UZI)}` +
        `  ${code?.display ?? ''} (${code?.code ?? ''}) at ${org?.name ?? '?'}, URA ${org ? identifier(org, URA) : '?'}`,
    );
  }
  const patients = await api.json<Bundle>(
    'GET',
    `Patient?identifier=${encodeURIComponent(`${BSN}|`)}&_count=100`,
  );
  out.result('');
  out.result('Patients (DigiD-style SAML by BSN, or the development login):');
  const sorted = (patients.body.entry ?? [])
    .map((e) => e.resource as Patient)
    .sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  for (const p of sorted) {
    out.result(
      `  ${nameOf(p).padEnd(18)} ${`Patient/${p.id}`.padEnd(30)} BSN ${identifier(p, BSN)}  born ${p.birthDate}`,
    );
  }
  out.result('');
  out.result(
    'Log in as one of them: start the server with DEV_LOGIN=on, open a SMART app (or /oauth/authorize ' +
      'for a registered app), choose "Development login" and type the reference, e.g. Practitioner/demo-huisarts.',
  );
}

/**
 * `npm run seed`: the demo care network (organisations, caregivers with UZI numbers and roles),
 * ten Synthea patients with test BSNs and the demo GP, and the demo care collective
 * (seed-collective.ts), loaded through the real REST path.
 * Running it again changes nothing: the network is PUT, the patients are loaded once.
 */
export const seedCommand: OperatorCommand<Record<string, never>> = {
  name: 'seed',
  needs: 'server',
  parse: () => ({}),
  async execute(_input, context) {
    const { out } = context;
    const started = Date.now();
    const { api, revoke } = await temporaryClient(context);
    let loaded = 0;
    const failures: string[] = [];
    try {
      const network = await api.json<Bundle>('POST', '', readFileSync(NETWORK, 'utf8'));
      if (network.status !== 200)
        throw new Error(`network.json: ${network.status} ${outcomeText(network.body)}`);
      loaded += network.body.entry?.length ?? 0;
      out.note(
        `care network: ${network.body.entry?.length ?? 0} resources (organisations, caregivers, roles)`,
      );

      // Each patient once: a transaction is all or nothing, so a patient is there whole or not at all.
      const files = readdirSync(SYNTHEA)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .slice(0, DEMO_BSNS.length);
      const missing: { file: string; bundle: Bundle }[] = [];
      for (const [i, file] of files.entries()) {
        const bsn = DEMO_BSNS[i]!;
        const present = await api.json<Bundle>(
          'GET',
          `Patient?identifier=${encodeURIComponent(`${BSN}|${bsn}`)}&_summary=count`,
        );
        if (!present.body.total) {
          const bundle = parseFhirJson(readFileSync(new URL(file, SYNTHEA), 'utf8')) as Bundle;
          missing.push({ file, bundle: dutchPatient(bundle, bsn) });
        }
      }
      if (missing.length < files.length) {
        out.note(`${files.length - missing.length} of the ${files.length} demo patients are already loaded`);
      }
      const total = missing.reduce((n, m) => n + (m.bundle.entry?.length ?? 0), 0);
      const progress = out.progress('patients', total);
      if (!missing.length) progress.stop();
      let done = 0;
      try {
        for (const { file, bundle } of missing) {
          const res = await api.json<{ entry?: BundleEntry[] }>('POST', '', bundle);
          done += bundle.entry?.length ?? 0;
          if (res.status === 200) loaded += res.body.entry?.length ?? 0;
          else failures.push(`${file}: ${res.status} ${outcomeText(res.body)}`);
          progress.update(done);
        }
      } finally {
        progress.stop();
      }
      await printPeople(api, out);
      loaded += await seedCollective(api, out);
    } finally {
      await revoke();
    }
    for (const f of failures) out.note(`failed: ${f}`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    out.note(
      `seeded ${loaded.toLocaleString('en')} resources into ${context.db.kind} in ${seconds} s` +
        (failures.length ? `; ${failures.length} bundle(s) failed` : ''),
    );
    return failures.length ? 1 : 0;
  },
};
