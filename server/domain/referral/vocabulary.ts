/**
 * The referral platform's words (seed 003), shared by the catalogue, the referral, delivery and
 * the accounts. Each is a CodeSystem or StructureDefinition URL of ours; where a national code
 * system exists (ICPC-1 NL, AGB, BIG, BSN) it is used instead.
 */

/** Functions a person holds, each one PractitionerRole (code), at one organisation. */
export const FUNCTION_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/referral-function';

/** Care functions: these may refer or request diagnostics (seed: huisarts, verloskundige, specialist). */
export const CARE_FUNCTIONS = ['gp', 'midwife', 'specialist'] as const;
export type CareFunction = (typeof CARE_FUNCTIONS)[number];

/** Admin functions (seed: "beheerrollen"), each bound to clusters of its organisation or to all of it. */
export const ADMIN_FUNCTIONS = [
  'admin-requests', // beheer aanvragen
  'admin-sampling-locations', // beheer afnamelocaties
  'admin-documents', // beheer documenten
  'admin-reports', // beheer rapportages
  'admin-access-times', // beheer toegangstijden
  'admin-care-products', // beheer zorgproducten
  'admin-basic-care-products', // beheer zorgproducten basis
  'admin-resend', // herzenden berichten
  'admin-preview', // preview zorgaanbod
  'admin-responsible', // verantwoordelijk beheerder
] as const;
export type AdminFunction = (typeof ADMIN_FUNCTIONS)[number];
export type ReferralFunction = CareFunction | AdminFunction;

/**
 * A cluster of an organisation: on an Organization (`type` = cluster, `partOf` the organisation)
 * it is the cluster; on a PractitionerRole (0..*) the clusters an admin function covers (none:
 * the whole organisation); on a HealthcareService (0..1) the cluster the offering belongs to.
 */
export const CLUSTER_EXTENSION = 'https://zorgpoort.nl/fhir/StructureDefinition/cluster';
export const ORGANIZATION_KIND_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/organization-kind';
export const CLUSTER_KIND = 'cluster';

/** On a PractitionerRole: when (valueDateTime) and by whom the responsible admin verified the function. */
export const VERIFIED_EXTENSION = 'https://zorgpoort.nl/fhir/StructureDefinition/function-verified';

/** HealthcareService.category: what starting from the offering makes. */
export const OFFERING_KIND_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/offering-kind';
export const OFFERING_KINDS = ['referral', 'diagnostics'] as const;

/** HealthcareService.characteristic: the care questions ("zorgvragen") an offering answers. */
export const CARE_QUESTION_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/care-question';
/** HealthcareService.characteristic and ServiceRequest.reasonCode: ICPC-1 NL (NHG), Nictiz's URI. */
export const ICPC_SYSTEM = 'http://hl7.org/fhir/sid/icpc-1-nl';

/** On a HealthcareService: which patients it is for (`minAge`, `maxAge` in years, `gender`). */
export const ELIGIBILITY_EXTENSION = 'https://zorgpoort.nl/fhir/StructureDefinition/offering-eligibility';
/** On a HealthcareService: the Questionnaire (valueCanonical) a referrer answers. */
export const QUESTIONNAIRE_EXTENSION = 'https://zorgpoort.nl/fhir/StructureDefinition/offering-questionnaire';

/** ServiceRequest.category of a referral (Nictiz hg-ReferralServiceRequest: "Verwijsbrief"). */
export const REFERRAL_CATEGORY = {
  system: 'urn:oid:2.16.840.1.113883.2.4.4.30.69',
  code: '1',
  display: 'Verwijsbrief',
};
/** ServiceRequest.category of a diagnostics request (SNOMED CT "diagnostic procedure"). */
export const DIAGNOSTICS_CATEGORY = {
  system: 'http://snomed.info/sct',
  code: '103693007',
  display: 'Diagnostic procedure',
};
/** Task.code of a referral's workflow (Nictiz hg-ReferralTask: SNOMED CT "patient referral"). */
export const REFERRAL_TASK_CODE = {
  system: 'http://snomed.info/sct',
  code: '3457005',
  display: 'Patient referral',
};

/**
 * On a row a referral shares (its ServiceRequest, Task, answers, letter, attachments):
 * `Organization/<id>` of the receiving organisation. Set by the server only (`$refer`); a
 * client's own value is dropped on every write.
 */
export const SHARED_WITH_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/shared-with';

export const AGB_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/agb-z';
export const BIG_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/big';
