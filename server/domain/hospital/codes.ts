/** The codes the portal's screens find their rows by (views.ts); where each comes from is said once, here. */
export const SCT = 'http://snomed.info/sct';
export const LOINC = 'http://loinc.org';
export const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
export const NANDA = 'http://www.nanda.org/';
export const NOC = 'http://terminology.hl7.org/CodeSystem/noc';
export const NIC = 'http://terminology.hl7.org/CodeSystem/nic';
export const DOCUMENT_TYPE = 'https://zorgpoort.nl/fhir/CodeSystem/portal-document-type';
export const CLASS_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/portal-classification';
/** SNOMED CT 387713003 Surgical procedure: an operation, on the waiting list or done. */
export const SURGICAL = `${SCT}|387713003`;
/** LOINC 34746-8 Nurse note. */
export const NURSE_NOTE = '34746-8';
/** SNOMED CT 11591000146107: the SOEP report of a consultation (zib SOAPReport). */
export const SOAP_REPORT = `${SCT}|11591000146107`;
/** zib Alcohol-, Tobacco-, DrugUse (SNOMED CT findings). */
export const SUBSTANCE_USE = [`${SCT}|228273003`, `${SCT}|365980008`, `${SCT}|228366006`];
/** zib FunctionalOrMentalStatus: functional finding, mental state finding. */
export const FUNCTIONAL_OR_MENTAL = [`${SCT}|118228005`, `${SCT}|384821006`];
/** zib Problem's type Diagnosis, and FHIR's encounter diagnosis. */
export const DIAGNOSIS = `${SCT}|282291009`;
export const ENCOUNTER_DIAGNOSIS =
  'http://terminology.hl7.org/CodeSystem/condition-category|encounter-diagnosis';
/** Device types (SNOMED CT) that make a device use an implant or an inserted material; any other is a medical aid. */
export const IMPLANTS = new Set(['40388003', '14106009']);
export const INSERTED = new Set(['19923001']);
/** LOINC glucose tests measured at the bedside too ("metingen: lengte, gewicht, glucose"). */
export const GLUCOSE = ['2339-0', '2345-7', '14743-9', '15074-8'].map((c) => `${LOINC}|${c}`);
/** Kinds of DiagnosticReport by HL7 v2 table 0074 (diagnostic service section), and LOINC's radiology class. */
export const MICROBIOLOGY = ['MB', 'MCB', 'MYC'].map((c) => `${V2_0074}|${c}`);
export const PATHOLOGY = ['SP', 'CP', 'PAT'].map((c) => `${V2_0074}|${c}`);
export const RADIOLOGY = [
  ...['RAD', 'NMR', 'NMS', 'CT', 'RUS', 'VUS', 'OUS', 'RX', 'XRC'].map((c) => `${V2_0074}|${c}`),
  `${LOINC}|LP29684-5`,
];
/** The Observation categories that are results (the rest are findings of the record). */
export const RESULT_CATEGORIES = ['laboratory', 'vital-signs', 'imaging', 'procedure'];
/** ELZ referral letters (Nictiz: "Verwijsbrief") and SNOMED CT 3457005 Patient referral. */
export const REFERRAL = [`${SCT}|3457005`, 'urn:oid:2.16.840.1.113883.2.4.4.30.69|'];
