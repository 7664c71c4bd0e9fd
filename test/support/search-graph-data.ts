import { nlCorePatient, type Json } from './search-fixtures.ts';

/**
 * Search over a small hand-built graph whose every answer is known: includes, chains, _has,
 * _list, compartments, the special and result parameters, and the Dutch parameters.
 *
 *   org-root "Rijnmond Zorggroep" ◀─partOf─ org-prac "Kralingen Huisartsen" ◀─partOf─ org-team "Oost Wijkteam"
 *   org-lab "Jansen Laboratorium"            org-loop-a ⇄ org-loop-b (partOf cycle)
 *   prac-jansen, prac-dekker, prac-bakker;  role-jansen (→ org-prac), role-dekker (→ org-team)
 *   pat-a "Alfa"    GP prac-jansen  managed by org-prac
 *   pat-b "Bravo"   GP role-dekker  managed by org-team
 *   pat-c "Charlie" GP org-root     managed by org-root
 *   obs-a1 (pat-a, prac-jansen, enc-a)  obs-a2 (pat-a, org-lab, enc-a)  obs-panel (pat-a, hasMember a1+a2)
 *   obs-b1 (pat-b, role-dekker, enc-b)  obs-c1 (pat-c, prac-bakker)     obs-loop-1 ⇄ obs-loop-2 (hasMember)
 *   list-1: pat-a, pat-c, obs-b1
 *   prov-a1 → obs-a1 by prac-jansen;  prov-b1 → obs-b1 by prac-dekker;  prov-c1 → pat-c by prac-bakker
 */

export const LOINC = 'http://loinc.org';
export const ref = (reference: string) => ({ reference });

export const organizations: Json[] = [
  { resourceType: 'Organization', id: 'org-root', name: 'Rijnmond Zorggroep' },
  {
    resourceType: 'Organization',
    id: 'org-prac',
    name: 'Kralingen Huisartsen',
    partOf: ref('Organization/org-root'),
  },
  {
    resourceType: 'Organization',
    id: 'org-team',
    name: 'Oost Wijkteam',
    partOf: ref('Organization/org-prac'),
  },
  { resourceType: 'Organization', id: 'org-lab', name: 'Jansen Laboratorium' },
  { resourceType: 'Organization', id: 'org-loop-a', name: 'Lus A', partOf: ref('Organization/org-loop-b') },
  { resourceType: 'Organization', id: 'org-loop-b', name: 'Lus B', partOf: ref('Organization/org-loop-a') },
];

export const practitioners: Json[] = [
  { resourceType: 'Practitioner', id: 'prac-jansen', name: [{ family: 'Jansen', given: ['Pieter'] }] },
  { resourceType: 'Practitioner', id: 'prac-dekker', name: [{ family: 'Dekker', given: ['Anna'] }] },
  { resourceType: 'Practitioner', id: 'prac-bakker', name: [{ family: 'Bakker', given: ['Kees'] }] },
  {
    resourceType: 'PractitionerRole',
    id: 'role-jansen',
    practitioner: ref('Practitioner/prac-jansen'),
    organization: ref('Organization/org-prac'),
  },
  {
    resourceType: 'PractitionerRole',
    id: 'role-dekker',
    practitioner: ref('Practitioner/prac-dekker'),
    organization: ref('Organization/org-team'),
  },
];

export const patients: Json[] = [
  {
    resourceType: 'Patient',
    id: 'pat-a',
    name: [{ family: 'Alfa', given: ['Adam'] }],
    gender: 'male',
    birthDate: '1970-01-01',
    generalPractitioner: [ref('Practitioner/prac-jansen')],
    managingOrganization: ref('Organization/org-prac'),
  },
  {
    resourceType: 'Patient',
    id: 'pat-b',
    name: [{ family: 'Bravo', given: ['Berta'] }],
    gender: 'female',
    birthDate: '1980-02-02',
    generalPractitioner: [ref('PractitionerRole/role-dekker')],
    managingOrganization: ref('Organization/org-team'),
  },
  {
    resourceType: 'Patient',
    id: 'pat-c',
    name: [{ family: 'Charlie', given: ['Cor'] }],
    gender: 'male',
    birthDate: '1990-03-03',
    generalPractitioner: [ref('Organization/org-root')],
    managingOrganization: ref('Organization/org-root'),
  },
];

export const encounters: Json[] = [
  {
    resourceType: 'Encounter',
    id: 'enc-a',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: ref('Patient/pat-a'),
    serviceProvider: ref('Organization/org-prac'),
  },
  {
    resourceType: 'Encounter',
    id: 'enc-b',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: ref('Patient/pat-b'),
    serviceProvider: ref('Organization/org-team'),
  },
  {
    resourceType: 'Encounter',
    id: 'enc-c',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: ref('Patient/pat-c'),
  },
];

export function observation(id: string, code: string, fields: Json): Json {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code }] },
    ...fields,
  };
}

export const observations: Json[] = [
  observation('obs-a1', '8480-6', {
    subject: ref('Patient/pat-a'),
    performer: [ref('Practitioner/prac-jansen')],
    encounter: ref('Encounter/enc-a'),
  }),
  observation('obs-a2', '8462-4', {
    subject: ref('Patient/pat-a'),
    performer: [ref('Organization/org-lab')],
    encounter: ref('Encounter/enc-a'),
  }),
  observation('obs-panel', '85354-9', {
    subject: ref('Patient/pat-a'),
    performer: [ref('Practitioner/prac-jansen')],
    hasMember: [ref('Observation/obs-a1'), ref('Observation/obs-a2')],
  }),
  observation('obs-b1', '8480-6', {
    subject: ref('Patient/pat-b'),
    performer: [ref('PractitionerRole/role-dekker')],
    encounter: ref('Encounter/enc-b'),
  }),
  observation('obs-c1', '8462-4', {
    subject: ref('Patient/pat-c'),
    performer: [ref('Practitioner/prac-bakker')],
  }),
  observation('obs-loop-1', '85354-9', { hasMember: [ref('Observation/obs-loop-2')] }),
  observation('obs-loop-2', '85354-9', { hasMember: [ref('Observation/obs-loop-1')] }),
];

export const others: Json[] = [
  {
    resourceType: 'List',
    id: 'list-1',
    status: 'current',
    mode: 'working',
    entry: [
      { item: ref('Patient/pat-a') },
      { item: ref('Patient/pat-c') },
      { item: ref('Observation/obs-b1') },
    ],
  },
  {
    resourceType: 'Provenance',
    id: 'prov-a1',
    target: [ref('Observation/obs-a1')],
    recorded: '2024-01-10T10:00:00Z',
    agent: [{ who: ref('Practitioner/prac-jansen') }],
  },
  {
    resourceType: 'Provenance',
    id: 'prov-b1',
    target: [ref('Observation/obs-b1')],
    recorded: '2024-01-11T10:00:00Z',
    agent: [{ who: ref('Practitioner/prac-dekker') }],
  },
  {
    resourceType: 'Provenance',
    id: 'prov-c1',
    target: [ref('Patient/pat-c')],
    recorded: '2024-01-12T10:00:00Z',
    agent: [{ who: ref('Practitioner/prac-bakker') }],
  },
];

/** Patients that only the special-parameter tests look at. */
export const metaPatients: Json[] = [
  {
    resourceType: 'Patient',
    id: 'meta-1',
    meta: {
      tag: [{ system: 'urn:zorgpoort:test', code: 'red' }],
      profile: ['http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient'],
      security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }],
      source: 'urn:zorgpoort:source:ehr-1',
    },
    name: [{ family: 'Metaeen' }],
  },
  {
    resourceType: 'Patient',
    id: 'meta-2',
    meta: {
      tag: [{ system: 'urn:zorgpoort:test', code: 'blue' }],
      profile: ['http://hl7.org/fhir/StructureDefinition/Patient'],
      security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' }],
      source: 'urn:zorgpoort:source:ehr-2',
    },
    name: [{ family: 'Metatwee' }],
  },
  {
    resourceType: 'Patient',
    id: 'text-1',
    text: {
      status: 'generated',
      div: '<div xmlns="http://www.w3.org/1999/xhtml">Woont naast de <b>molen</b> in Kinderdijk</div>',
    },
    name: [{ family: 'Tekst', given: ['Tessa'] }],
    gender: 'female',
    birthDate: '1960-06-06',
    maritalStatus: { text: 'Gehuwd' },
    contact: [{ name: { family: 'Contactpersoon' } }],
  },
  {
    resourceType: 'Patient',
    id: 'text-2',
    name: [{ family: 'Inhoud' }],
    address: [{ line: ['Zwaluwstaartweg 12'], city: 'Gouda' }],
  },
];

/** nl-core-style Patients for the Dutch postcode + house number and partner-name searches. */
export const dutchPatients: Json[] = [
  nlCorePatient({
    id: 'nl-1',
    ownName: 'Putten',
    partnerName: 'Giessen',
    birthDate: '1934-04-28',
    gender: 'female',
    street: 'Coolsingel',
    houseNumber: '230',
    postalCode: '3015 CE',
    city: 'Rotterdam',
  }),
  // Same postcode, different house number: the house number is a token, 23 is not 230.
  nlCorePatient({
    id: 'nl-2',
    ownName: 'Visser',
    birthDate: '1950-01-01',
    gender: 'male',
    street: 'Coolsingel',
    houseNumber: '23',
    postalCode: '3015 CE',
    city: 'Rotterdam',
  }),
  // Same house number, other postcode.
  nlCorePatient({
    id: 'nl-3',
    ownName: 'Smit',
    partnerName: 'Giessen',
    birthDate: '1934-04-28',
    gender: 'male',
    street: 'Damrak',
    houseNumber: '230',
    postalCode: '1012 NX',
    city: 'Amsterdam',
  }),
  // Same partner name and gender, other birth date.
  nlCorePatient({
    id: 'nl-4',
    ownName: 'Bos',
    partnerName: 'Giessen',
    birthDate: '1935-04-28',
    gender: 'female',
    street: 'Damrak',
    houseNumber: '1',
    postalCode: '1012 NX',
    city: 'Amsterdam',
  }),
  // Own name Giessen: a partner-name search must not find it.
  nlCorePatient({
    id: 'nl-5',
    ownName: 'Giessen',
    partnerName: 'Mulder',
    birthDate: '1934-04-28',
    gender: 'female',
    street: 'Blaak',
    houseNumber: '230',
    postalCode: '3011 TA',
    city: 'Rotterdam',
  }),
];

/** Everything above, in an order that PUTs without dangling references. */
export const graph: Json[] = [
  ...organizations,
  ...practitioners,
  ...patients,
  ...encounters,
  ...observations,
  ...others,
  ...metaPatients,
  ...dutchPatients,
];
