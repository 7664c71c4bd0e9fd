import { randomUUID } from 'node:crypto';
import { isValidBsn } from '../../auth/resolve-person.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import type { ParametersIn } from '../parameters.ts';
import { searchAll } from '../search-all.ts';
import { readAs } from './parties.ts';

type Json = Record<string, unknown>;

export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';

/** Who the referral is for, as the referrer entered it. */
export type PatientInput =
  | { kind: 'reference'; reference: string }
  | {
      kind: 'identified';
      bsn?: string;
      family: string;
      given: string[];
      birthDate: string;
      gender?: string;
      postalCode?: string;
      houseNumber?: string;
      street?: string;
      city?: string;
    };

const GENDERS = ['male', 'female', 'other', 'unknown'];

/** Dutch postcode, "1234 AB" or "1234AB": stored as "1234AB". */
const postcode = (v: string | undefined) => {
  const m = /^([1-9][0-9]{3}) ?([A-Za-z]{2})$/.exec(v ?? '');
  return m ? `${m[1]}${m[2]!.toUpperCase()}` : undefined;
};

/**
 * The patient parameters: `patient` (a Patient the caller may read), or `bsn` with `family`,
 * `given`, `birthDate` (and `gender`, and the address if known), or — the BSN unknown —
 * `family`, `given`, `birthDate` and the address: `postalCode` and `houseNumber`.
 */
export function patientInput(ctx: RestContext, p: ParametersIn): PatientInput {
  const lang = ctx.language;
  const reference = p.reference('patient');
  if (reference) return { kind: 'reference', reference };
  const bsn = p.string('bsn')?.replace(/\s/g, '');
  if (bsn !== undefined && !isValidBsn(bsn)) {
    refuse(lang, 400, 'invalid', {
      en: `'${bsn}' is not a BSN: nine digits that pass the 11-test`,
      nl: `'${bsn}' is geen BSN: negen cijfers die de elfproef doorstaan`,
    });
  }
  const family = p.string('family');
  const birthDate = p.date('birthDate');
  const gender = p.string('gender');
  const postalCode = p.string('postalCode');
  const houseNumber = p.string('houseNumber');
  const lacking = [
    ...(family ? [] : ['family']),
    ...(birthDate && /^\d{4}-\d{2}-\d{2}$/.test(birthDate) ? [] : ['birthDate (valueDate)']),
    ...(bsn || postalCode ? [] : ['postalCode']),
    ...(bsn || houseNumber ? [] : ['houseNumber']),
  ];
  if (lacking.length) {
    refuse(lang, 400, 'required', {
      en: `The patient: give 'patient' (a reference), or 'bsn' with family name and birth date; without a BSN, family name, birth date and address (postcode, house number). Missing: ${lacking.join(', ')}`,
      nl: `De patiënt: geef 'patient' (een verwijzing), of 'bsn' met achternaam en geboortedatum; zonder BSN achternaam, geboortedatum en adres (postcode, huisnummer). Ontbreekt: ${lacking.join(', ')}`,
    });
  }
  if (gender !== undefined && !GENDERS.includes(gender)) {
    refuse(lang, 400, 'invalid', {
      en: `'gender' is one of ${GENDERS.join(', ')}`,
      nl: `'gender' is een van ${GENDERS.join(', ')}`,
    });
  }
  const pc = postalCode === undefined ? undefined : postcode(postalCode);
  if (postalCode !== undefined && !pc) {
    refuse(lang, 400, 'invalid', {
      en: `'${postalCode}' is not a Dutch postcode (1234 AB)`,
      nl: `'${postalCode}' is geen Nederlandse postcode (1234 AB)`,
    });
  }
  if (houseNumber !== undefined && !/^[0-9]{1,5}\s*[A-Za-z0-9-]{0,6}$/.test(houseNumber)) {
    refuse(lang, 400, 'invalid', {
      en: `'${houseNumber}' is not a house number (12, 12a, 12-2)`,
      nl: `'${houseNumber}' is geen huisnummer (12, 12a, 12-2)`,
    });
  }
  return {
    kind: 'identified',
    ...(bsn ? { bsn } : {}),
    family: family!,
    given: p.strings('given'),
    birthDate: birthDate!,
    ...(gender ? { gender } : {}),
    ...(pc ? { postalCode: pc } : {}),
    ...(houseNumber ? { houseNumber: houseNumber.replace(/\s+/g, ' ') } : {}),
    ...(p.string('street') ? { street: p.string('street')! } : {}),
    ...(p.string('city') ? { city: p.string('city')! } : {}),
  };
}

/** The patient the referral is about: one the caller may see, or a record of their own to create. */
export type ReferredPatient = { patient: Json; created: boolean };

const lives = (p: Json, postalCode: string, houseNumber: string) =>
  ((p.address ?? []) as Json[]).some(
    (a) =>
      postcode(a.postalCode as string | undefined) === postalCode &&
      ((a.line ?? []) as string[]).some((l) =>
        new RegExp(`(^|\\s)${houseNumber.replace(/[^0-9A-Za-z -]/g, '')}(\\s|$)`, 'i').test(l),
      ),
  );

/**
 * Finds the patient among those the caller may see — by reference, by BSN, or (without one) by
 * name, birth date and address — or makes the referrer's own Patient record (held by their
 * organisation, which manages it). A patient the caller may not see is never named or used: a
 * reference to one is refused exactly as a missing one, and a BSN or an address that matches
 * only such patients makes a record of the referrer's own, as when no one matches, so the
 * answer tells nothing about who else is on this server. The patient's own login finds every
 * record with their BSN (server/auth/resolve-person.ts), so the referral shows in their view.
 */
export async function referredPatient(
  ctx: RestContext,
  input: PatientInput,
  custodian: { organizationId: string; meta: Json },
  contact: { email?: string; mobile?: string },
): Promise<ReferredPatient> {
  if (input.kind === 'reference') {
    const patient = await readAs(ctx, { reference: input.reference }, ['Patient']);
    if (!patient) {
      refuse(ctx.language, 422, 'business-rule', {
        en: `${input.reference} is not a patient whose record you may read; identify the patient by BSN or by name, birth date and address instead`,
        nl: `${input.reference} is geen patiënt wiens dossier u mag inzien; geef de patiënt dan op met BSN, of met naam, geboortedatum en adres`,
      });
    }
    return { patient, created: false };
  }
  const candidates = (
    await searchAll(
      ctx,
      { resourceType: 'Patient' },
      input.bsn
        ? [['identifier', `${BSN_SYSTEM}|${input.bsn}`]]
        : [
            ['family', input.family],
            ['birthdate', input.birthDate],
            ['address-postalcode', input.postalCode!],
          ],
    )
  )
    .map((v) => JSON.parse(v.content!) as Json)
    .filter((p) => (input.bsn ? true : lives(p, input.postalCode!, input.houseNumber!)));
  // The referrer's own record of the patient first, else another they may see.
  const own = candidates.find((p) => custodianOf(p) === custodian.organizationId) ?? candidates[0];
  if (own) {
    if (input.bsn && own.birthDate && own.birthDate !== input.birthDate) {
      refuse(ctx.language, 422, 'business-rule', {
        en: `Patient/${own.id as string} with BSN ${input.bsn} has another birth date (${own.birthDate as string}); check the BSN`,
        nl: `Patient/${own.id as string} met BSN ${input.bsn} heeft een andere geboortedatum (${own.birthDate as string}); controleer het BSN`,
      });
    }
    return { patient: own, created: false };
  }
  const line = [input.street, input.houseNumber].filter(Boolean).join(' ');
  const patient: Json = {
    resourceType: 'Patient',
    id: randomUUID(),
    meta: custodian.meta,
    ...(input.bsn ? { identifier: [{ system: BSN_SYSTEM, value: input.bsn }] } : {}),
    active: true,
    name: [{ use: 'official', family: input.family, ...(input.given.length ? { given: input.given } : {}) }],
    ...(contact.email || contact.mobile
      ? {
          telecom: [
            ...(contact.mobile ? [{ system: 'phone', value: contact.mobile, use: 'mobile' }] : []),
            ...(contact.email ? [{ system: 'email', value: contact.email, use: 'home' }] : []),
          ],
        }
      : {}),
    ...(input.gender ? { gender: input.gender } : {}),
    birthDate: input.birthDate,
    ...(input.postalCode
      ? {
          address: [
            {
              use: 'home',
              ...(line ? { line: [line] } : {}),
              ...(input.city ? { city: input.city } : {}),
              postalCode: input.postalCode,
              country: 'NL',
            },
          ],
        }
      : {}),
    managingOrganization: { reference: `Organization/${custodian.organizationId}` },
  };
  return { patient, created: true };
}

const custodianOf = (p: Json) =>
  ((p.meta as { tag?: { system?: string; code?: string }[] } | undefined)?.tag ?? []).find(
    (t) => t.system === 'https://zorgpoort.nl/fhir/CodeSystem/custodian',
  )?.code;
