import { Dataset, type Stored } from './dataset.ts';

/**
 * A handful of resources for the oracle's self-check, small enough that every expected result
 * is worked out by hand in test/e2e/search-oracle.test.ts.
 */

export const MINI_BASE = 'http://zorgpoort.test/fhir';
/** A fixed clock, so `ap` windows are fixed: 2020-03-04 is ~2129 days back, widened by ~213 days. */
export const MINI_NOW = Date.UTC(2026, 0, 1);

const loinc = (code: string, display?: string) => ({
  system: 'http://loinc.org',
  code,
  ...(display && { display }),
});
const mmHg = (value: number) => ({
  value,
  system: 'http://unitsofmeasure.org',
  code: 'mm[Hg]',
  unit: 'mmHg',
});

const RESOURCES: Record<string, any>[] = [
  {
    resourceType: 'Patient',
    id: 'p1',
    meta: { lastUpdated: '2024-01-01T10:00:00.000Z', tag: [{ system: 'urn:t', code: 'x' }] },
    identifier: [
      {
        system: 'urn:mrn',
        value: 'A1',
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
      },
    ],
    active: true,
    name: [{ family: 'Jöns', given: ['Anna', 'Marie'] }],
    gender: 'female',
    birthDate: '1980-03-04',
    address: [{ line: ['Main St, 5'], city: 'Den Burg' }],
  },
  {
    resourceType: 'Patient',
    id: 'p2',
    meta: { lastUpdated: '2024-01-01T10:00:01Z' },
    name: [{ family: 'Jonsson' }],
    gender: 'male',
    birthDate: '1980',
    deceasedDateTime: '2020-05-06T10:00:00+02:00',
  },
  {
    resourceType: 'Patient',
    id: 'p3',
    meta: { lastUpdated: '2023-12-31T23:59:59Z', profile: ['http://example.org/fhir/StructureDefinition/p'] },
    name: [{ text: 'Zoë JONS' }],
  },
  {
    resourceType: 'Observation',
    id: 'o1',
    meta: { lastUpdated: '2024-01-01T10:00:00Z' },
    status: 'final',
    code: { coding: [loinc('8480-6', 'Systolic blood pressure')], text: 'BP sys' },
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: '2020-03-04T10:00:00Z',
    valueQuantity: mmHg(100),
  },
  {
    resourceType: 'Observation',
    id: 'o2',
    meta: { lastUpdated: '2024-01-01T10:00:00Z' },
    status: 'final',
    code: { coding: [loinc('85354-9')] },
    subject: { reference: 'Patient/p2' },
    effectivePeriod: { start: '2020-03-01', end: '2020-03-10' },
    component: [
      { code: { coding: [loinc('8480-6')] }, valueQuantity: mmHg(120.5) },
      { code: { coding: [loinc('8462-4')] }, valueQuantity: mmHg(80) },
    ],
  },
  {
    resourceType: 'Observation',
    id: 'o3',
    meta: { lastUpdated: '2024-01-01T10:00:00Z' },
    status: 'preliminary',
    code: { text: 'note' },
    subject: { reference: 'http://other.org/fhir/Patient/9' },
    performer: [{ identifier: { system: 'urn:npi', value: '123' } }],
    effectivePeriod: { start: '2021-01-01T00:00:00Z' },
    valueString: 'Ström',
  },
  {
    resourceType: 'Observation',
    id: 'o4',
    meta: { lastUpdated: '2024-01-01T10:00:00Z' },
    status: 'final',
    code: { coding: [loinc('8480-6')] },
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: '2020-03-04',
    valueQuantity: { value: 99.5, unit: 'mmHg' },
  },
  {
    resourceType: 'Encounter',
    id: 'e1',
    meta: { lastUpdated: '2024-01-01T10:00:00Z' },
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: 'Patient/p1' },
  },
  {
    resourceType: 'Encounter',
    id: 'e2',
    meta: { lastUpdated: '2024-01-01T10:00:00Z' },
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: 'Group/g1' },
  },
  {
    resourceType: 'RiskAssessment',
    id: 'ra1',
    meta: { lastUpdated: '2024-01-01T10:00:00Z' },
    status: 'final',
    subject: { reference: 'Patient/p1' },
    prediction: [{ probabilityDecimal: 0.02 }],
  },
  {
    resourceType: 'ActivityDefinition',
    id: 'ad1',
    meta: { lastUpdated: '2024-01-01T10:00:00Z' },
    status: 'active',
    useContext: [
      {
        code: { system: 'http://terminology.hl7.org/CodeSystem/usage-context-type', code: 'focus' },
        valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '87512008' }] },
      },
      {
        code: { system: 'http://terminology.hl7.org/CodeSystem/usage-context-type', code: 'age' },
        valueQuantity: { value: 18, system: 'http://unitsofmeasure.org', code: 'a' },
      },
    ],
  },
];

export function miniDataset(): Dataset {
  const stored: Stored[] = RESOURCES.map((resource) => ({
    type: resource.resourceType,
    id: resource.id,
    resource,
  }));
  return new Dataset(stored, MINI_BASE, undefined, MINI_NOW);
}
