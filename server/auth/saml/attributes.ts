import { FhirError } from '../../fhir/errors.ts';
import { isValidBsn, type LoginIdentity } from '../resolve-person.ts';
import type { IdpConfig } from './idp-config.ts';

/** The part of a validated assertion the mapping reads (node-saml's Profile has this shape). */
export interface AssertedSubject {
  nameID?: string;
  attributes?: Record<string, unknown>;
}

/** What a caregiver IdP says beyond the UZI number: as what and for which organisation. */
export interface CaregiverClaims {
  roleCodes: string[];
  ura?: string;
  agb?: string;
}

export interface MappedLogin {
  identity: LoginIdentity;
  claims?: CaregiverClaims;
}

/** DigiD's NameID: sector code s00000000 (BSN) and the number. */
const DIGID_BSN = /^s00000000:(\d{9})$/;
const UZI_NUMBER = /^\d{6,12}$/;

function refuse(idp: IdpConfig, what: string): never {
  throw new FhirError(401, `SAML login refused: the assertion of IdP '${idp.id}' ${what}`, {
    code: 'login',
  });
}

/** Attribute values as strings; a complex value contributes its `code` attribute (HL7 CV). */
function values(subject: AssertedSubject, name: string): string[] {
  if (name === 'NameID') return subject.nameID ? [subject.nameID] : [];
  const raw = subject.attributes?.[name];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list.flatMap((v: unknown) => {
    if (typeof v === 'string') return [v.trim()];
    const code = (v as { $?: { code?: unknown } } | null)?.$?.code;
    return typeof code === 'string' ? [code] : [];
  });
}

function single(idp: IdpConfig, subject: AssertedSubject, name: string, what: string): string {
  const found = values(subject, name);
  if (found.length === 0) refuse(idp, `has no ${what} (${name})`);
  // Two numbers for one person: we would have to guess who logged in.
  if (found.length > 1) refuse(idp, `has ${found.length} values for ${what} (${name})`);
  return found[0]!;
}

function optional(idp: IdpConfig, subject: AssertedSubject, name: string | undefined, what: string) {
  return name === undefined || values(subject, name).length === 0
    ? undefined
    : single(idp, subject, name, what);
}

/** A validated assertion → who logged in, by the IdP's attribute mapping. */
export function mapAssertion(idp: IdpConfig, subject: AssertedSubject): MappedLogin {
  if (idp.kind === 'caregiver') {
    const a = idp.attributes;
    const uziNumber = single(idp, subject, a.uziNumber, 'UZI number');
    if (!UZI_NUMBER.test(uziNumber)) refuse(idp, `has a UZI number that is not 6-12 digits`);
    const claims: CaregiverClaims = {
      roleCodes: values(subject, a.roleCode),
      ura: optional(idp, subject, a.ura, 'URA'),
      agb: optional(idp, subject, a.agb, 'AGB code'),
    };
    // Logged in for an organisation (URA): the person acts only in the roles held there.
    return {
      identity: {
        kind: 'caregiver',
        uziNumber,
        ...(claims.ura ? { ura: claims.ura } : {}),
        ...(claims.roleCodes[0] ? { roleCode: claims.roleCodes[0] } : {}),
      },
      claims,
    };
  }
  const raw = single(idp, subject, idp.attributes.bsn, 'BSN');
  // DigiD puts the sector code before the number; an attribute may carry the bare number.
  const bsn = DIGID_BSN.exec(raw)?.[1] ?? (/^\d{9}$/.test(raw) ? raw : undefined);
  if (!bsn) refuse(idp, `names no BSN (expected s00000000:<BSN>)`);
  if (!isValidBsn(bsn)) refuse(idp, `has a BSN that fails the 11-test`);
  return { identity: { kind: 'patient', bsn } };
}
