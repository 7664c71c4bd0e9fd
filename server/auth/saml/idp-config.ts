import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Where each login fact comes from in one IdP's assertions. */
export interface CaregiverMapping {
  /** Attribute with the UZI number, or `NameID` when the IdP puts it in the subject. */
  uziNumber: string;
  /** Attribute with the UZI role code (e.g. 01.015 huisarts). */
  roleCode: string;
  /** Attributes with the organisation's URA and AGB, when the IdP sends them. */
  ura?: string;
  agb?: string;
}

export interface PatientMapping {
  /** Attribute with the BSN, or `NameID`: DigiD's `s00000000:<BSN>` (sector code + BSN). */
  bsn: string;
}

interface IdpBase {
  /** Our name for the IdP: the `:idp` in /saml/login/:idp and /saml/acs/:idp. */
  id: string;
  /** What the login page shows. */
  label: string;
  entityId: string;
  /** SingleSignOnService, HTTP-Redirect binding. */
  ssoUrl: string;
  /** PEM certificates the IdP signs with (more than one during a key rollover). */
  signingCerts: string[];
  /** NameIDPolicy Format to request; none when unset (the IdP picks). */
  nameIdFormat?: string;
  /**
   * AuthnContextClassRefs to request, and the only ones accepted back: e.g. DigiD Substantieel
   * (`…:ac:classes:Smartcard`) for medical data. Unset: none requested, any accepted.
   */
  authnContexts?: string[];
}

export type IdpConfig =
  | (IdpBase & { kind: 'caregiver'; attributes: CaregiverMapping })
  | (IdpBase & { kind: 'patient'; attributes: PatientMapping });

export const XACML_ROLE = 'urn:oasis:names:tc:xacml:2.0:subject:role';
const ID = /^[A-Za-z0-9_-]{1,64}$/;

function pem(cert: string): string {
  const body = cert.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) throw new Error('is not a PEM or base64 certificate');
  return `-----BEGIN CERTIFICATE-----\n${body.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

function httpUrl(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} must be a URL`);
  const u = new URL(value);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`${what} must be an http(s) URL`);
  return value;
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new Error(`${what} must be a non-empty string`);
  return value;
}

/**
 * The SAML_IDPS_FILE list, checked strictly: a login that trusts the wrong certificate or reads
 * the wrong attribute is worse than a server that does not start. `signingCertFiles` are read
 * relative to the file's own directory.
 */
export function parseSamlIdps(json: unknown, baseDir = '.'): IdpConfig[] {
  if (!Array.isArray(json)) throw new Error('expected a JSON list of IdPs');
  const seen = new Set<string>();
  return json.map((raw: Record<string, unknown>, i): IdpConfig => {
    const at = `IdP ${i}${typeof raw?.id === 'string' ? ` (${raw.id})` : ''}`;
    try {
      if (typeof raw !== 'object' || raw === null) throw new Error('must be an object');
      const id = raw.id;
      if (typeof id !== 'string' || !ID.test(id)) throw new Error('id must be 1-64 letters, digits, - or _');
      if (seen.has(id)) throw new Error('id is used twice');
      seen.add(id);
      const certs = [
        ...((raw.signingCerts as unknown[] | undefined) ?? []).map((c) => {
          if (typeof c !== 'string') throw new Error('signingCerts must be strings');
          return pem(c);
        }),
        ...((raw.signingCertFiles as unknown[] | undefined) ?? []).map((f) => {
          if (typeof f !== 'string') throw new Error('signingCertFiles must be file names');
          return pem(readFileSync(resolve(baseDir, f), 'utf8'));
        }),
      ];
      // An IdP without a certificate could only be trusted unsigned: never.
      if (certs.length === 0) throw new Error('needs signingCerts or signingCertFiles');
      const base: IdpBase = {
        id,
        label: optionalString(raw.label, 'label') ?? id,
        entityId: optionalString(raw.entityId, 'entityId') ?? missing('entityId'),
        ssoUrl: httpUrl(raw.ssoUrl, 'ssoUrl'),
        signingCerts: certs,
        nameIdFormat: optionalString(raw.nameIdFormat, 'nameIdFormat'),
        authnContexts: stringList(raw.authnContexts, 'authnContexts'),
      };
      const attrs = (raw.attributes ?? {}) as Record<string, unknown>;
      if (typeof attrs !== 'object') throw new Error('attributes must be an object');
      if (raw.kind === 'caregiver') {
        return {
          ...base,
          kind: 'caregiver',
          attributes: {
            uziNumber:
              optionalString(attrs.uziNumber, 'attributes.uziNumber') ?? missing('attributes.uziNumber'),
            roleCode: optionalString(attrs.roleCode, 'attributes.roleCode') ?? XACML_ROLE,
            ura: optionalString(attrs.ura, 'attributes.ura'),
            agb: optionalString(attrs.agb, 'attributes.agb'),
          },
        };
      }
      if (raw.kind === 'patient') {
        return {
          ...base,
          kind: 'patient',
          attributes: { bsn: optionalString(attrs.bsn, 'attributes.bsn') ?? 'NameID' },
        };
      }
      throw new Error(`kind must be 'caregiver' or 'patient'`);
    } catch (e) {
      throw new Error(`${at}: ${(e as Error).message}`);
    }
  });
}

function stringList(value: unknown, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v === '')) {
    throw new Error(`${what} must be a non-empty list of strings`);
  }
  return value as string[];
}

function missing(what: string): never {
  throw new Error(`${what} is required`);
}

export function loadSamlIdps(file: string): IdpConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`SAML_IDPS_FILE ${file}: ${(e as Error).message}`);
  }
  try {
    return parseSamlIdps(json, dirname(file));
  } catch (e) {
    throw new Error(`SAML_IDPS_FILE ${file}: ${(e as Error).message}`);
  }
}
