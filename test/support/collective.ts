import { callAs, type TestServer } from './harness.ts';
import { personToken } from './smart-flow.ts';

type Json = Record<string, any>;

export const ZRN = 'https://zorgpoort.nl/fhir/NamingSystem/zrn';
export const GRN = 'https://zorgpoort.nl/fhir/NamingSystem/grn';

/** A Parameters body from name → value pairs (booleans and strings; arrays repeat the name). */
export function params(values: Record<string, string | boolean | string[] | undefined>): Json {
  return {
    resourceType: 'Parameters',
    parameter: Object.entries(values).flatMap(([name, v]): Json[] =>
      v === undefined
        ? []
        : Array.isArray(v)
          ? v.map((x) => ({ name, valueString: x }))
          : typeof v === 'boolean'
            ? [{ name, valueBoolean: v }]
            : [{ name, valueString: v }],
    ),
  };
}

/** The value of an output parameter. */
export const out = (body: Json, name: string) => {
  const p = (body.parameter ?? []).find((x: Json) => x.name === name);
  return p?.valueString ?? p?.valueCode ?? p?.valueReference?.reference ?? p?.valueInteger ?? p?.valueBoolean;
};

export const zrnOf = (practitioner: Json) =>
  practitioner.identifier.find((i: Json) => i.system === ZRN).value as string;
export const diagnostics = (outcome: Json) => (outcome.issue ?? []).map((i: Json) => i.diagnostics).join(' ');

/**
 * A care network for the collective tests: callers by name (tokens from the identity layer),
 * `post`/`get` as one of them, and the flows' building blocks.
 */
export function collectiveWorld(server: () => TestServer) {
  const tokens: Record<string, string> = {};
  const call = callAs(server, tokens);
  const ids: Record<string, string> = {};
  const zrns: Record<string, string> = {};
  const post = (path: string, as: string, body: Json = params({}), headers: Record<string, string> = {}) =>
    call(path, as, { method: 'POST', body: JSON.stringify(body), headers });
  const get = (path: string, as: string, headers: Record<string, string> = {}) => call(path, as, { headers });
  return {
    tokens,
    ids,
    zrns,
    call,
    post,
    get,
    /** Registers caregivers by the trusted default caller and logs each in (dev login). */
    async caregivers(...names: string[]) {
      for (const name of names) {
        const res = await server().fetch('Practitioner/$register', {
          method: 'POST',
          headers: { 'content-type': 'application/fhir+json' },
          body: JSON.stringify(params({ given: name, family: 'Test', email: `${name}@example.org` })),
        });
        if (res.status !== 201) throw new Error(`register ${name}: ${res.status} ${await res.text()}`);
        const practitioner = (await res.json()) as Json;
        ids[name] = practitioner.id;
        zrns[name] = zrnOf(practitioner);
        tokens[name] = await personToken(server(), `Practitioner/${practitioner.id}`);
      }
    },
    /** A collective with `admin` as its administrator, set up by the trusted default caller. */
    async collective(name: string, admin: string): Promise<string> {
      const res = await server().fetch('Organization/$create-collective', {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify(params({ name, administrator: zrns[admin] })),
      });
      if (res.status !== 201) throw new Error(`collective ${name}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as Json).id;
    },
    async patientLogin(name: string, patientId: string) {
      tokens[name] = await personToken(server(), `Patient/${patientId}`, 'openid fhirUser patient/*.cruds');
      ids[name] = patientId;
    },
    async expectOk(res: Promise<{ status: number; body: Json }>, status = 200) {
      const r = await res;
      if (r.status !== status)
        throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body;
    },
  };
}
