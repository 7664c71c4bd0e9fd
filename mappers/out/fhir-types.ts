import { BSN, ZORGPOORT_NS } from '../hl7/types.ts';
import { repeat, segment, type Component, type Field, type FieldValue } from './writer.ts';

/**
 * FHIR data types as HL7 v2 ones: the inverse of ../hl7/types.ts, with the same Dutch
 * conventions (BSN as NLMINBIZA/NNNLD, AGB as VEKTIS, name parts and house numbers in
 * subcomponents), so what we write our own mappers read back to the same resource.
 */

type Json = Record<string, unknown>;
type Extension = { url?: string; valueString?: string };
const EXT = 'http://hl7.org/fhir/StructureDefinition';
export const AGB = 'http://fhir.nl/fhir/NamingSystem/agb-z';
export const AGB_OID = '2.16.840.1.113883.2.4.6.1';

/** A FHIR date, dateTime or instant as an HL7 DTM (`2026-12-07T10:00:00+01:00` → `20261207100000+0100`). */
export function dtm(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m =
    /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(
      value,
    );
  if (!m) return undefined;
  const [, y, mo = '', d = '', h = '', mi = '', s = '', zone] = m;
  const offset = zone === undefined ? '' : zone === 'Z' ? '+0000' : zone.replace(':', '');
  return `${y}${mo}${d}${h}${mi}${h ? s || '00' : ''}${offset}`;
}

const ext = (e: Extension[] | undefined, name: string) =>
  e?.find((x) => x.url === `${EXT}/${name}`)?.valueString;

/** PID-3: the BSN and the patient numbers of sending facilities (`value^^^authority^type`). */
export function patientIdentifiers(patient: Json): FieldValue[] {
  const out: FieldValue[] = [];
  for (const id of (patient.identifier ?? []) as { system?: string; value?: string }[]) {
    if (!id.value || !id.system) continue;
    if (id.system === BSN) out.push([id.value, '', '', 'NLMINBIZA', 'NNNLD']);
    else if (id.system.startsWith(`${ZORGPOORT_NS}/patient-number/`)) {
      const encoded = id.system.slice(`${ZORGPOORT_NS}/patient-number/`.length);
      let authority = encoded;
      try {
        authority = decodeURIComponent(encoded);
      } catch {
        // Not percent-encoded by us: the namespace as it is.
      }
      out.push([id.value, '', '', authority, 'PI']);
    } else if (id.system.startsWith('urn:oid:')) out.push([id.value, '', '', id.system.slice(8), 'PI']);
  }
  return out;
}

/** An nl-core HumanName as an XPN: surname & own prefix & own name & partner prefix & partner name. */
export function xpn(name: Json | undefined): FieldValue {
  if (!name) return undefined;
  const family = name._family as { extension?: Extension[] } | undefined;
  const ownName = ext(family?.extension, 'humanname-own-name');
  const ownPrefix = ext(family?.extension, 'humanname-own-prefix');
  const partnerPrefix = ext(family?.extension, 'humanname-partner-prefix');
  const partnerName = ext(family?.extension, 'humanname-partner-name');
  const given = (name.given ?? []) as string[];
  const use = name.use as string | undefined;
  // FN.1 is the whole surname as written; FN.2…5 its parts.
  const fn: Component = [
    (name.family as string | undefined) ||
      [partnerPrefix, partnerName, ownPrefix, ownName].filter(Boolean).join(' '),
    ownPrefix,
    ownName,
    partnerPrefix,
    partnerName,
  ];
  return [
    fn,
    given[0],
    given.slice(1).join(' ') || undefined,
    undefined,
    ((name.prefix ?? []) as string[])[0],
    undefined,
    use === 'usual' ? 'N' : use === 'maiden' ? 'M' : 'L',
  ];
}

/** The official name first, as PID-5 lists it. */
export function officialName(patient: Json): Json | undefined {
  const names = (patient.name ?? []) as Json[];
  return names.find((n) => n.use === 'official') ?? names[0];
}

/** An nl-core Address as an XAD: street line & street & house number ^ addition ^ city ^^ postcode ^ country ^ type. */
export function xad(address: Json | undefined): FieldValue {
  if (!address) return undefined;
  const parts = ((address._line ?? []) as { extension?: Extension[] }[])[0]?.extension;
  const street = ext(parts, 'iso21090-ADXP-streetName');
  const number = ext(parts, 'iso21090-ADXP-houseNumber');
  const addition = ext(parts, 'iso21090-ADXP-buildingNumberSuffix');
  const line = ((address.line ?? []) as string[])[0];
  const use = address.use as string | undefined;
  const type =
    address.type === 'postal'
      ? 'M'
      : use === 'home'
        ? 'H'
        : use === 'work'
          ? 'O'
          : use === 'temp'
            ? 'C'
            : undefined;
  return [
    street || number ? [street ? [street, number].filter(Boolean).join(' ') : line, street, number] : line,
    addition,
    address.city as string | undefined,
    undefined,
    address.postalCode as string | undefined,
    address.country as string | undefined,
    type,
  ];
}

const GENDER: Record<string, string> = { male: 'M', female: 'F', other: 'O', unknown: 'U' };

/** PID of a FHIR Patient: identifiers (PID-3), name (5), birth date (7), sex (8), address (11). */
export function pid(patient: Json): string {
  const fields: Field[] = [];
  fields[0] = '1';
  fields[2] = repeat(...patientIdentifiers(patient));
  fields[4] = xpn(officialName(patient));
  fields[6] = dtm(patient.birthDate as string | undefined);
  fields[7] = genderCode(patient);
  fields[10] = repeat(...((patient.address ?? []) as Json[]).map(xad));
  return segment('PID', ...Array.from(fields, (f) => f));
}

export const genderCode = (patient: Json) => GENDER[(patient.gender as string | undefined) ?? ''];

/** The AGB code among an Organization's or Practitioner's identifiers. */
export const agbOf = (resource: Json | undefined): string | undefined =>
  ((resource?.identifier ?? []) as { system?: string; value?: string }[]).find((i) => i.system === AGB)
    ?.value;

/**
 * An organisation as an XON (ORC-21): name ^^ AGB ^^^ VEKTIS. The AGB code is a number, so it
 * fits XON.3 (ID number) of v2.4.
 */
export function xon(org: Json | undefined): FieldValue {
  if (!org) return undefined;
  const agb = agbOf(org);
  return [org.name as string | undefined, undefined, agb, undefined, undefined, agb ? 'VEKTIS' : undefined];
}

/** A practitioner as an XCN: AGB ^ family ^ given ^^^^^^ VEKTIS (the authority of XCN.1). */
export function xcn(practitioner: Json | undefined): FieldValue {
  if (!practitioner) return undefined;
  const name = ((practitioner.name ?? []) as Json[])[0];
  const agb = agbOf(practitioner);
  return [
    agb,
    name?.family as string | undefined,
    ((name?.given ?? []) as string[])[0],
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    agb ? 'VEKTIS' : undefined,
  ];
}

/** A CodeableConcept's first coding as a CE: code ^ text ^ coding system (LN, SCT, or the system). */
export function ce(concept: Json | undefined): FieldValue {
  const coding = ((concept?.coding ?? []) as { system?: string; code?: string; display?: string }[])[0];
  if (!coding?.code) return concept?.text ? [undefined, concept.text as string] : undefined;
  const system =
    coding.system === 'http://loinc.org'
      ? 'LN'
      : coding.system === 'http://snomed.info/sct'
        ? 'SCT'
        : coding.system;
  return [coding.code, coding.display ?? (concept?.text as string | undefined), system];
}
