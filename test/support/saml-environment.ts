import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../server/config.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { selfSignedCertificate } from './self-signed.ts';
import { freePort, startSamlIdp, type IdpUser, type SamlIdp } from './saml-idp.ts';

/** The SAML test environment: SimpleSAMLphp as IdP, our server as SP, their users. */
export const UZI_ATTR = 'urn:oid:2.16.528.1.1007.3.1';
export const URA_ATTR = 'urn:oid:2.16.528.1.1007.3.3';
export const AGB_ATTR = 'urn:oid:2.16.840.1.113883.2.4.6.1';
export const ROLE_ATTR = 'urn:oasis:names:tc:xacml:2.0:subject:role';
export const NS = 'http://fhir.nl/fhir/NamingSystem';
export const SP_ENTITY_ID = 'https://zorgpoort.test/saml/sp';
/** DigiD Substantieel's class; the test IdP logs in with a password, so it never asserts it. */
export const SMARTCARD = 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard';

export const USERS: IdpUser[] = [
  {
    username: 'huisarts',
    password: 'huisarts-pw',
    attributes: {
      nameid: ['900012345'],
      [UZI_ATTR]: ['900012345'],
      [ROLE_ATTR]: ['01.015'],
      [URA_ATTR]: ['90000123'],
      [AGB_ATTR]: ['01234567'],
    },
  },
  {
    username: 'onbekend',
    password: 'onbekend-pw',
    attributes: { nameid: ['900099999'], [UZI_ATTR]: ['900099999'], [ROLE_ATTR]: ['01.015'] },
  },
  { username: 'patient', password: 'patient-pw', attributes: { nameid: ['s00000000:123456782'] } },
  { username: 'patient-onbekend', password: 'p2-pw', attributes: { nameid: ['s00000000:111222333'] } },
];
export const login = (username: string) => USERS.find((u) => u.username === username)!;

export interface SamlEnvironment {
  idp: SamlIdp;
  server: TestServer;
  spBase: string;
  dir: string;
}

/**
 * SimpleSAMLphp and our server, each told about the other: two IdP entries on our side (a
 * caregiver 'uzi' and a patient 'digid' login, both served by the one test IdP). With
 * `signRequests`, our SP signs its AuthnRequests and the IdP refuses unsigned ones.
 */
export async function startSamlEnvironment(
  options: {
    signRequests?: boolean;
    /** More of the server's config (mail, dev login, …) and its clock. */
    server?: { config?: Partial<Config>; clock?: () => Date };
  } = {},
): Promise<SamlEnvironment> {
  const [serverPort, idpPort] = [await freePort(), await freePort()];
  const spBase = `http://127.0.0.1:${serverPort}`;
  const dir = mkdtempSync(join(tmpdir(), 'saml-sp-'));
  const spKeyFile = join(dir, 'sp.key');
  const spCertFile = join(dir, 'sp.crt');
  if (options.signRequests) {
    selfSignedCertificate(spKeyFile, spCertFile, 'Zorgpoort test SP');
  }
  const idp = await startSamlIdp({
    port: idpPort,
    sp: {
      entityId: SP_ENTITY_ID,
      acsUrls: [
        `${spBase}/saml/acs/uzi`,
        `${spBase}/saml/acs/digid`,
        `${spBase}/saml/acs/digid-substantieel`,
      ],
      ...(options.signRequests ? { certFile: spCertFile } : {}),
    },
    users: USERS,
  });
  const common = { entityId: idp.entityId, ssoUrl: idp.ssoUrl, signingCertFiles: [idp.certFile] };
  writeFileSync(
    join(dir, 'idps.json'),
    JSON.stringify([
      {
        id: 'uzi',
        label: 'UZI-pas',
        kind: 'caregiver',
        ...common,
        attributes: { uziNumber: UZI_ATTR, roleCode: ROLE_ATTR, ura: URA_ATTR, agb: AGB_ATTR },
      },
      { id: 'digid', label: 'DigiD', kind: 'patient', ...common, attributes: { bsn: 'NameID' } },
      {
        id: 'digid-substantieel',
        label: 'DigiD (Substantieel)',
        kind: 'patient',
        ...common,
        authnContexts: [SMARTCARD],
      },
    ]),
  );
  const server = await startTestServer(
    {},
    {
      ...(options.server?.clock ? { clock: options.server.clock } : {}),
      config: {
        ...options.server?.config,
        port: serverPort,
        saml: {
          idpsFile: join(dir, 'idps.json'),
          spEntityId: SP_ENTITY_ID,
          spBaseUrl: spBase,
          ...(options.signRequests ? { spKeyFile, spCertFile } : {}),
          clockSkewMs: 30_000,
          maxAssertionAgeMs: 300_000,
          requestTtlMs: 600_000,
        },
      },
    },
  );
  return { idp, server, spBase, dir };
}

export async function stopSamlEnvironment(env: Partial<SamlEnvironment>): Promise<void> {
  await env.server?.close();
  await env.idp?.stop();
  if (env.dir) rmSync(env.dir, { recursive: true, force: true });
}
