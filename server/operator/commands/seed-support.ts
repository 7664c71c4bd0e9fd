import { exportJWK, generateKeyPair } from 'jose';
import type { Bundle, BundleEntry, Patient, Practitioner, PractitionerRole, Resource } from 'fhir/r4.js';
import { stringifyFhirJson } from '../../fhir/format/json.ts';
import { createClientStore } from '../../fhir/storage/auth/client-store.ts';
import { clientCredentialsToken } from '../../cli/client-token.ts';
import type { CommandContext } from '../command.ts';
import type { SeedApi } from './seed-collective.ts';

export const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const UZI = 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers';
const URA = 'http://fhir.nl/fhir/NamingSystem/ura';
/** The seed's own requests: a temporary trusted backend client (seed.ts). */
const SCOPE = 'system/*.cruds';
const TEMPORARY_CLIENT = 'npm run seed (temporary)';

type Api = SeedApi;

/** A backend client for the seed's own requests: registered for this run and revoked after it. */
export async function temporaryClient({ db, config, serverUrl }: CommandContext) {
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

export const nameOf = (r: { name?: { text?: string; given?: string[]; family?: string }[] }) => {
  const n = r.name?.[0];
  return n?.text ?? [...(n?.given ?? []), n?.family].filter(Boolean).join(' ');
};
const identifier = (r: { identifier?: { system?: string; value?: string }[] }, system: string) =>
  r.identifier?.find((i) => i.system === system)?.value ?? '';

export function outcomeText(body: unknown): string {
  const issues = (body as { issue?: { diagnostics?: string }[] }).issue ?? [];
  return issues.map((i) => i.diagnostics).join('; ');
}

/** The people one can log in as, read back from the server (so the list is what is really there). */
export async function printPeople(api: Api, out: CommandContext['out']) {
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

/** A transaction that PUTs each resource at its id: loading it again changes nothing. */
export function putTransaction(resources: Record<string, unknown>[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource) => ({
      fullUrl: `${resource.resourceType as string}/${resource.id as string}`,
      resource: resource as never,
      request: { method: 'PUT', url: `${resource.resourceType as string}/${resource.id as string}` },
    })),
  };
}

/**
 * How many entries of a transaction's answer were written by it (created, or changed: a new
 * version since `since`) rather than found unchanged (the server keeps an identical PUT as is).
 */
export const writtenIn = (entries: BundleEntry[] = [], since: number) =>
  entries.filter(
    (e) =>
      e.response?.status?.startsWith('201') || Date.parse(e.response?.lastModified ?? '') >= since - 1000,
  ).length;
