import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSamlIdps, XACML_ROLE } from '../../../server/auth/saml/idp-config.ts';
import { samlLoginOptions } from '../../../server/auth/saml/saml-routes.ts';
import { spMetadata } from '../../../server/auth/saml/metadata.ts';
import { loadConfig } from '../../../server/config.ts';

const CERT_BODY = 'MIIBszCCAVmgAwIBAgIUQk'.padEnd(200, 'A');
const CERT = `-----BEGIN CERTIFICATE-----\n${CERT_BODY}\n-----END CERTIFICATE-----\n`;
const idp = (extra: Record<string, unknown> = {}) => ({
  id: 'uzi',
  label: 'UZI-pas',
  kind: 'caregiver',
  entityId: 'https://idp.example/saml',
  ssoUrl: 'https://idp.example/sso',
  signingCerts: [CERT],
  attributes: { uziNumber: 'urn:oid:2.16.528.1.1007.3.1' },
  ...extra,
});

describe('SAML configuration', () => {
  describe('SAML_IDPS_FILE', () => {
    it('reads caregiver and patient IdPs with their defaults', () => {
      const [uzi, digid] = parseSamlIdps([
        idp(),
        { id: 'digid', kind: 'patient', entityId: 'e', ssoUrl: 'https://d/sso', signingCerts: [CERT_BODY] },
      ]);
      expect(uzi).to.include({ id: 'uzi', label: 'UZI-pas', kind: 'caregiver' });
      expect(uzi!.attributes).to.deep.equal({
        uziNumber: 'urn:oid:2.16.528.1.1007.3.1',
        roleCode: XACML_ROLE,
        ura: undefined,
        agb: undefined,
      });
      expect(digid).to.include({ label: 'digid', kind: 'patient' });
      expect(digid!.attributes).to.deep.equal({ bsn: 'NameID' });
      // A bare base64 certificate is wrapped as PEM.
      expect(digid!.signingCerts[0]).to.match(/^-----BEGIN CERTIFICATE-----\n/);
    });

    it('reads signingCertFiles relative to the file', () => {
      const dir = mkdtempSync(join(tmpdir(), 'saml-config-'));
      try {
        writeFileSync(join(dir, 'idp.pem'), CERT);
        const [uzi] = parseSamlIdps([idp({ signingCerts: undefined, signingCertFiles: ['idp.pem'] })], dir);
        expect(uzi!.signingCerts).to.have.length(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('refuses what would make a login unsafe or ambiguous', () => {
      const bad: [unknown, RegExp][] = [
        [{}, /JSON list/],
        [[idp({ signingCerts: [] })], /needs signingCerts/],
        [[idp({ signingCerts: ['not a cert!'] })], /not a PEM/],
        [[idp({ id: 'a/b' })], /id must be/],
        [[idp(), idp()], /used twice/],
        [[idp({ kind: 'admin' })], /kind must be/],
        [[idp({ ssoUrl: 'ftp://x' })], /http\(s\) URL/],
        [[idp({ entityId: undefined })], /entityId is required/],
        [[idp({ attributes: {} })], /attributes.uziNumber is required/],
        [[idp({ authnContexts: [] })], /authnContexts must be a non-empty list/],
      ];
      for (const [json, message] of bad) expect(() => parseSamlIdps(json), String(message)).to.throw(message);
    });
  });

  describe('environment', () => {
    const env = {
      SAML_IDPS_FILE: '/etc/zorgpoort/idps.json',
      SAML_SP_ENTITY_ID: 'https://zorgpoort.example/saml',
      SAML_SP_BASE_URL: 'https://zorgpoort.example/',
    };

    it('is off without SAML_IDPS_FILE, with defaults when on', () => {
      expect(loadConfig({}).saml).to.equal(undefined);
      expect(loadConfig(env).saml).to.deep.equal({
        idpsFile: '/etc/zorgpoort/idps.json',
        spEntityId: 'https://zorgpoort.example/saml',
        spBaseUrl: 'https://zorgpoort.example',
        spKeyFile: undefined,
        spCertFile: undefined,
        clockSkewMs: 30_000,
        maxAssertionAgeMs: 300_000,
        requestTtlMs: 600_000,
      });
      expect(
        loadConfig({ ...env, SAML_SP_BASE_URL: '', BASE_URL: 'https://fhir.example' }).saml?.spBaseUrl,
      ).to.equal('https://fhir.example');
    });

    it('refuses incomplete or unsafe settings', () => {
      const bad: [Record<string, string>, RegExp][] = [
        [{ SAML_SP_ENTITY_ID: 'x' }, /need SAML_IDPS_FILE/],
        [{ ...env, SAML_SP_ENTITY_ID: '' }, /SAML_SP_ENTITY_ID/],
        [{ ...env, SAML_SP_BASE_URL: '' }, /SAML_SP_BASE_URL/],
        [{ ...env, SAML_SP_KEY_FILE: '/k.pem' }, /go together/],
        [{ ...env, SAML_CLOCK_SKEW_MS: '600000' }, /at most/],
        [{ ...env, SAML_MAX_ASSERTION_AGE_MS: '0' }, /must be positive/],
        [{ ...env, SAML_CLOCK_SKEW_MS: '-1' }, /non-negative integer/],
      ];
      for (const [e, message] of bad) expect(() => loadConfig(e), String(message)).to.throw(message);
    });
  });

  it('lists the IdPs for a login page, with the URL that starts each login', () => {
    const [option] = samlLoginOptions({ spBaseUrl: 'https://zp.example' }, parseSamlIdps([idp()]));
    expect(option).to.include({ id: 'uzi', label: 'UZI-pas', kind: 'caregiver' });
    expect(option!.href('interaction 1')).to.equal(
      'https://zp.example/saml/login/uzi?RelayState=interaction%201',
    );
    expect(option!.href()).to.equal('https://zp.example/saml/login/uzi');
  });

  it('escapes what it writes into SP metadata', () => {
    const xml = spMetadata({ entityId: 'https://a.example/?x="1"&y', acsUrls: ['https://a.example/acs'] });
    expect(xml).to.include('entityID="https://a.example/?x=&quot;1&quot;&amp;y"');
    expect(xml).to.include('AuthnRequestsSigned="false"');
    expect(spMetadata({ entityId: 'e', acsUrls: [], signingCert: CERT })).to.include(
      `<ds:X509Certificate>${CERT_BODY}</ds:X509Certificate>`,
    );
  });
});
