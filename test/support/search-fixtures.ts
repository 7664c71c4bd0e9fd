import { expect } from 'chai';
import { FHIR_JSON, jsonHeaders, type TestServer } from './harness.ts';

/** Small HTTP helpers for the search e2e tests: raw answers, searchset entries, bulk loading. */

export type Json = Record<string, any>;

export interface Answer {
  status: number;
  body: Json;
  /** The raw body, for assertions on what must never be in it. */
  text: string;
}

/** A request to a path relative to the base, or to an absolute URL such as a paging link. */
export async function ask(server: TestServer, pathOrUrl: string, init: RequestInit = {}): Promise<Answer> {
  const headers = { Accept: FHIR_JSON, ...(init.headers as Record<string, string> | undefined) };
  const res = await server.fetch(pathOrUrl, { ...init, headers });
  const text = await res.text();
  let body: Json = {};
  try {
    body = JSON.parse(text) as Json;
  } catch {
    // Not JSON (e.g. a proxy-level error page); callers assert on status and text.
  }
  return { status: res.status, body, text };
}

/** A search that must answer 200 with a searchset Bundle. */
export async function searchset(
  server: TestServer,
  pathOrUrl: string,
  init: RequestInit = {},
): Promise<Json> {
  const a = await ask(server, pathOrUrl, init);
  expect(a.status, `${pathOrUrl} → ${a.text.slice(0, 600)}`).to.equal(200);
  expect(a.body.resourceType).to.equal('Bundle');
  expect(a.body.type).to.equal('searchset');
  return a.body;
}

export type Mode = 'match' | 'include' | 'outcome';

/** `Type/id` of the entries with search.mode `mode`, sorted. */
export function entriesOf(bundle: Json, mode: Mode = 'match'): string[] {
  return ((bundle.entry ?? []) as Json[])
    .filter((e) => e.search?.mode === mode)
    .map((e) => `${e.resource.resourceType}/${e.resource.id}`)
    .sort();
}

/** Matches and includes of one page, each sorted, for one deep-equal assertion. */
export function modes(bundle: Json): { match: string[]; include: string[] } {
  return { match: entriesOf(bundle, 'match'), include: entriesOf(bundle, 'include') };
}

/** The ids of the matches in the order the server returned them. */
export function matchIdsInOrder(bundle: Json): string[] {
  return ((bundle.entry ?? []) as Json[]).filter((e) => e.search?.mode === 'match').map((e) => e.resource.id);
}

export function linkOf(bundle: Json, relation: string): string | undefined {
  return ((bundle.link ?? []) as Json[]).find((l) => l.relation === relation)?.url;
}

/** Stores resources with their own ids (PUT) in one transaction; every entry must succeed. */
export async function putAll(server: TestServer, resources: Json[]): Promise<void> {
  const entry = resources.map((resource) => ({
    resource,
    request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
  }));
  const res = await server.fetch('', {
    method: 'POST',
    headers: jsonHeaders(),
    body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }),
  });
  const body = (await res.json()) as Json;
  expect(res.status, JSON.stringify(body).slice(0, 1000)).to.equal(200);
  for (const e of body.entry as Json[]) expect(e.response.status).to.match(/^20[01]/);
}

/** Creates one resource (POST) and returns it as stored. */
export async function createOne(server: TestServer, resource: Json): Promise<Json> {
  const res = await server.fetch(resource.resourceType as string, {
    method: 'POST',
    headers: jsonHeaders({ Prefer: 'return=representation' }),
    body: JSON.stringify(resource),
  });
  const body = (await res.json()) as Json;
  expect(res.status, JSON.stringify(body).slice(0, 600)).to.equal(201);
  return body;
}

export const HOUSE_NUMBER = 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber';
export const STREET_NAME = 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetName';
export const PARTNER_NAME = 'http://hl7.org/fhir/StructureDefinition/humanname-partner-name';
export const OWN_NAME = 'http://hl7.org/fhir/StructureDefinition/humanname-own-name';

/**
 * A Patient shaped like nl-core-Patient: the house number in an extension on Address.line and
 * the own and partner surnames in extensions on HumanName.family (in JSON: `_line`, `_family`).
 */
export function nlCorePatient(p: {
  id: string;
  ownName: string;
  partnerName?: string;
  birthDate: string;
  gender: string;
  street: string;
  houseNumber: string;
  postalCode: string;
  city: string;
}): Json {
  const family = p.partnerName ? `${p.ownName}-${p.partnerName}` : p.ownName;
  const familyExtensions = [
    { url: OWN_NAME, valueString: p.ownName },
    ...(p.partnerName ? [{ url: PARTNER_NAME, valueString: p.partnerName }] : []),
  ];
  return {
    resourceType: 'Patient',
    id: p.id,
    name: [{ use: 'official', family, _family: { extension: familyExtensions } }],
    gender: p.gender,
    birthDate: p.birthDate,
    address: [
      {
        use: 'home',
        line: [`${p.street} ${p.houseNumber}`],
        _line: [
          {
            extension: [
              { url: STREET_NAME, valueString: p.street },
              { url: HOUSE_NUMBER, valueString: p.houseNumber },
            ],
          },
        ],
        city: p.city,
        postalCode: p.postalCode,
        country: 'NL',
      },
    ],
  };
}
