import type { Hl7Segment } from '@medplum/core';
import type { Hl7 } from './message.ts';

/**
 * HL7 v2 data types as FHIR data types (the v2-to-FHIR IG's datatype maps), with the Dutch
 * conventions of nl-core: BSN and AGB/UZI/BIG identifiers, name prefixes and partner names,
 * street, house number and addition. Each reader takes a segment, a field and a repetition.
 */

type Json = Record<string, unknown>;
const NS = 'http://fhir.nl/fhir/NamingSystem';
export const BSN = `${NS}/bsn`;
export const ZORGPOORT_NS = 'https://zorgpoort.nl/fhir/NamingSystem';
const EXT = 'http://hl7.org/fhir/StructureDefinition';

/** CX assigning authorities (CX.4) and identifier types (CX.5) the Dutch feeds use. */
const AUTHORITIES: Record<string, string> = {
  NLMINBIZA: BSN,
  VEKTIS: `${NS}/agb-z`,
  AGB: `${NS}/agb-z`,
  UZI: `${NS}/uzi-nr-pers`,
  BIG: `${NS}/big`,
  URA: `${NS}/ura`,
  UZOVI: `${NS}/uzovi`,
};
const TYPES: Record<string, string> = { NNNLD: BSN };

const compact = <T extends Json>(o: T): T =>
  Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && !v.length)),
  ) as T;

/** A namespace of the sender's own numbers: `…/NamingSystem/<kind>/<authority or facility>`. */
export const localSystem = (kind: string, authority: string) =>
  `${ZORGPOORT_NS}/${kind}/${encodeURIComponent(authority)}`;

/**
 * A CX (or the ID part of an XCN) as an Identifier: a known authority or type, an OID, or else
 * `local` (the sender's own namespace for this kind of number).
 */
export function identifier(value: string, authority: string, type: string, local: string): Json | undefined {
  if (!value) return undefined;
  const system =
    TYPES[type] ??
    AUTHORITIES[authority.toUpperCase()] ??
    (/^\d+(\.\d+)+$/.test(authority) ? `urn:oid:${authority}` : local);
  return compact({
    system,
    value,
    ...(type && !TYPES[type]
      ? { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: type }] } }
      : {}),
  });
}

/** Every repetition of a CX field (PID-3) as Identifiers. */
export function identifiers(m: Hl7, s: Hl7Segment, field: number, facility: string): Json[] {
  const out: Json[] = [];
  for (let r = 1; r <= m.repetitions(s, field); r++) {
    const authority = m.value(s, field, 4, 1, r);
    const id = identifier(
      m.value(s, field, 1, 1, r),
      authority,
      m.value(s, field, 5, 1, r),
      localSystem('patient-number', authority || facility),
    );
    if (id) out.push(id);
  }
  return out;
}

/**
 * An XPN as an nl-core HumanName. The family name (XPN.1, an FN) carries the Dutch parts in its
 * subcomponents: surname & own prefix & own name & partner prefix & partner name.
 */
export function humanName(m: Hl7, s: Hl7Segment, field: number, r = 1): Json | undefined {
  const surname = m.value(s, field, 1, 1, r);
  const ownPrefix = m.value(s, field, 1, 2, r);
  const ownName = m.value(s, field, 1, 3, r);
  const partnerPrefix = m.value(s, field, 1, 4, r);
  const partnerName = m.value(s, field, 1, 5, r);
  const given = m.value(s, field, 2, 1, r);
  const middle = m.value(s, field, 3, 1, r);
  const prefix = m.value(s, field, 5, 1, r);
  const typeCode = m.value(s, field, 7, 1, r);
  if (!surname && !given) return undefined;
  const familyExt = [
    ownPrefix && { url: `${EXT}/humanname-own-prefix`, valueString: ownPrefix },
    ownName && { url: `${EXT}/humanname-own-name`, valueString: ownName },
    partnerPrefix && { url: `${EXT}/humanname-partner-prefix`, valueString: partnerPrefix },
    partnerName && { url: `${EXT}/humanname-partner-name`, valueString: partnerName },
  ].filter(Boolean);
  const family = surname || [partnerPrefix, partnerName, ownPrefix, ownName].filter(Boolean).join(' ');
  // nl-core (zib NameInformation) says what each given name is: a first name (BR), initials
  // (IN), or the name a person goes by (CL: XPN.7 N, a nickname).
  const nickname = typeCode === 'N';
  const givens = [given, ...middle.split(' ')].filter(Boolean);
  const qualifier = (g: string) => (nickname ? 'CL' : /^(\p{Lu}\.)+$/u.test(g) ? 'IN' : 'BR');
  return compact({
    use: typeCode === 'L' ? 'official' : nickname ? 'usual' : typeCode === 'M' ? 'maiden' : undefined,
    family: family || undefined,
    ...(familyExt.length ? { _family: { extension: familyExt } } : {}),
    given: givens,
    ...(givens.length
      ? {
          _given: givens.map((g) => ({
            extension: [{ url: `${EXT}/iso21090-EN-qualifier`, valueCode: qualifier(g) }],
          })),
        }
      : {}),
    prefix: prefix ? [prefix] : undefined,
  });
}

/**
 * An XAD as an nl-core Address. XAD.1 is an SAD: street line & street name & house number;
 * XAD.2 (other designation) is the Dutch house number addition.
 */
export function address(m: Hl7, s: Hl7Segment, field: number, r = 1): Json | undefined {
  const line = m.value(s, field, 1, 1, r);
  const street = m.value(s, field, 1, 2, r);
  const houseNumber = m.value(s, field, 1, 3, r);
  const addition = m.value(s, field, 2, 1, r);
  const city = m.value(s, field, 3, 1, r);
  const postalCode = m.value(s, field, 5, 1, r);
  const country = m.value(s, field, 6, 1, r);
  const type = m.value(s, field, 7, 1, r);
  if (!line && !street && !city && !postalCode) return undefined;
  const parts = [
    street && { url: `${EXT}/iso21090-ADXP-streetName`, valueString: street },
    houseNumber && { url: `${EXT}/iso21090-ADXP-houseNumber`, valueString: houseNumber },
    addition && { url: `${EXT}/iso21090-ADXP-buildingNumberSuffix`, valueString: addition },
  ].filter(Boolean);
  const text = line || [street, houseNumber].filter(Boolean).join(' ');
  return compact({
    use: type === 'H' ? 'home' : type === 'O' || type === 'B' ? 'work' : type === 'C' ? 'temp' : undefined,
    type: type === 'M' ? 'postal' : undefined,
    line: text ? [[text, addition].filter(Boolean).join(' ')] : undefined,
    ...(parts.length ? { _line: [{ extension: parts }] } : {}),
    city,
    postalCode,
    country,
  });
}

/** An XTN as a ContactPoint: the number (XTN.12, else XTN.1) or the e-mail address (XTN.4). */
export function contactPoint(m: Hl7, s: Hl7Segment, field: number, r = 1): Json | undefined {
  const use = m.value(s, field, 2, 1, r);
  const equipment = m.value(s, field, 3, 1, r);
  const email = m.value(s, field, 4, 1, r);
  const number = m.value(s, field, 12, 1, r) || m.value(s, field, 1, 1, r);
  if (equipment === 'Internet' || use === 'NET') {
    return email ? { system: 'email', value: email, use: 'home' } : undefined;
  }
  if (!number) return undefined;
  return compact({
    system: equipment === 'FX' ? 'fax' : 'phone',
    value: number,
    use: use === 'WPN' ? 'work' : equipment === 'CP' ? 'mobile' : use === 'PRN' ? 'home' : undefined,
  });
}

/** Every repetition of a field through one of the readers above. */
export function each<T>(
  m: Hl7,
  s: Hl7Segment,
  field: number,
  read: (m: Hl7, s: Hl7Segment, f: number, r: number) => T | undefined,
): T[] {
  const out: T[] = [];
  for (let r = 1; r <= Math.max(1, m.repetitions(s, field)); r++) {
    const v = read(m, s, field, r);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/**
 * An XCN (a practitioner: PV1-7, PD1-4) as a logical reference: their AGB, UZI or BIG number
 * (XCN.9 the authority) and their name. Applying the message resolves it to a Practitioner.
 */
export function practitionerRef(
  m: Hl7,
  s: Hl7Segment,
  field: number,
  facility: string,
  r = 1,
): Json | undefined {
  const id = m.value(s, field, 1, 1, r);
  const family = m.value(s, field, 2, 1, r);
  const given = m.value(s, field, 3, 1, r);
  if (!id && !family) return undefined;
  const authority = m.value(s, field, 9, 1, r);
  return compact({
    identifier: identifier(id, authority, '', localSystem('practitioner-number', authority || facility)),
    display: [given, family].filter(Boolean).join(' ') || undefined,
  });
}

export { compact };
