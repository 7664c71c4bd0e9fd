import { UZI_ROLE_SYSTEMS as UZI_ROLES } from './role-names.ts';

/** The hospital portal's own codes (seed 002): what a death report and its provisional mark are. */
export const PORTAL_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/hospital-portal';

/** Task.code of a death report a caregiver makes to a hospital. */
export const DEATH_REPORT = {
  coding: [{ system: PORTAL_SYSTEM, code: 'death-report', display: 'Melding overlijden' }],
  text: 'Melding overlijden / Death report',
};

/** Flag.code of the provisional mark a death report leaves until the hospital has handled it. */
export const DEATH_REPORTED = {
  coding: [{ system: PORTAL_SYSTEM, code: 'death-reported', display: 'Overlijden gemeld (voorlopig)' }],
  text: 'Overlijden gemeld (voorlopig) / death reported (provisional)',
};

/** On each entry of `$portal-patient`: what it is on the screen (repeats when it is two things). */
export const PORTAL_ROLE_EXTENSION = 'https://zorgpoort.nl/fhir/StructureDefinition/portal-role';

export type PortalRole =
  'patient' | 'general-practitioner' | 'dentist' | 'pharmacy' | 'insurance' | 'insurer';

/** UZI role codes (RoleCodeNL zorgverlenertype) by URI and by OID. */
export const UZI_ROLE_SYSTEMS: ReadonlySet<string> = new Set(UZI_ROLES);

/** Organisation types (RoleCodeNL zorgaanbiedertype) by URI and by OID: J8 is a (public) pharmacy. */
export const ORGANIZATION_TYPE_SYSTEMS = new Set([
  'http://nictiz.nl/fhir/NamingSystem/organization-type',
  'urn:oid:2.16.840.1.113883.2.4.15.1060',
]);
