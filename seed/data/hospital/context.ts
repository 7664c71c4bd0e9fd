/**
 * Shared pieces of the hospital portal demo (seed 002): code systems, the custodian tag, and the
 * clock. Every date is relative to the day the seed runs (midnight UTC), so running it twice on
 * one day writes the same resources (the server keeps an unchanged PUT as it is) and the portal's
 * windows (ER visits of the last 7 days, lab graphs of 12 months) stay filled on any later day.
 */

// FHIR JSON as the server reads it: the seed builds plain objects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export const SCT = 'http://snomed.info/sct';
export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
export const V3_ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
export const OBS_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const NANDA = 'http://www.nanda.org/';
export const NOC = 'http://terminology.hl7.org/CodeSystem/noc';
export const NIC = 'http://terminology.hl7.org/CodeSystem/nic';
export const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
export const DOCUMENT_TYPE = 'https://zorgpoort.nl/fhir/CodeSystem/portal-document-type';
export const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
export const URA = 'http://fhir.nl/fhir/NamingSystem/ura';
export const AGB = 'http://fhir.nl/fhir/NamingSystem/agb-z';
export const UZI = 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers';
export const BIG = 'http://fhir.nl/fhir/NamingSystem/big';
export const UZOVI = 'http://fhir.nl/fhir/NamingSystem/uzovi';
export const UZI_ROLE = 'http://fhir.nl/fhir/NamingSystem/uzi-rolcode';
export const ORG_TYPE = 'http://nictiz.nl/fhir/NamingSystem/organization-type';
export const PATIENT_NUMBER = 'https://zorgpoort.nl/fhir/NamingSystem/patient-number';
export const NL_CORE = 'http://nictiz.nl/fhir/StructureDefinition';

export const coding = (system: string, code: string, display?: string) => ({
  system,
  code,
  ...(display ? { display } : {}),
});
export const concept = (system: string, code: string, display?: string) => ({
  coding: [coding(system, code, display)],
  ...(display ? { text: display } : {}),
});
export const sct = (code: string, display: string) => concept(SCT, code, display);
export const loinc = (code: string, display: string) => concept(LOINC, code, display);
export const ref = (reference: string, display?: string) => ({ reference, ...(display ? { display } : {}) });

/** The hospitals' ids: also the custodian tag's code on what each holds. */
export type Hospital = 'zgt' | 'mst';

/** A resource held by an organisation (its custodian tag), claiming an nl-core profile if given. */
export function held(holder: string, resource: Json, profile?: string): Json {
  return {
    ...resource,
    meta: {
      ...(profile ? { profile: [`${NL_CORE}/${profile}`] } : {}),
      tag: [{ system: CUSTODIAN, code: holder }],
    },
  };
}

/** The seed's clock: days before (negative) or after today, at a time of day (UTC). */
export class Clock {
  readonly today: Date;
  constructor(readonly now: Date) {
    this.today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  }
  /** A dateTime `days` from today at `hour:minute` UTC. */
  at(days: number, hour = 9, minute = 0): string {
    const d = new Date(this.today.getTime() + days * 86_400_000 + (hour * 60 + minute) * 60_000);
    return d.toISOString().replace('.000Z', 'Z');
  }
  /** A date `days` from today. */
  day(days: number): string {
    return this.at(days).slice(0, 10);
  }
  /** A date `years` before today (a birth date). */
  yearsAgo(years: number, month: number, day: number): string {
    return `${this.today.getUTCFullYear() - years}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  }
}

/** What the seed loads for one patient, and what the portal shows of it. */
export interface PatientSet {
  key: string;
  resources: Json[];
}
