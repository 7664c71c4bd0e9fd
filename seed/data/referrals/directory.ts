import {
  AGB_SYSTEM,
  BIG_SYSTEM,
  CLUSTER_EXTENSION,
  CLUSTER_KIND,
  FUNCTION_SYSTEM,
  ORGANIZATION_KIND_SYSTEM,
  type ReferralFunction,
} from '../../../server/domain/referral/vocabulary.ts';

// FHIR JSON as the server reads it: the seed builds plain objects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export const URA = 'http://fhir.nl/fhir/NamingSystem/ura';
export const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
export const ref = (reference: string, display?: string) => ({ reference, ...(display ? { display } : {}) });

/**
 * The referral platform's demo network (seed 003): a GP practice that refers, a hospital with
 * two clusters that receives referrals, and a diagnostics centre that takes requests. Numbers are
 * made up (test ranges: URA 9002…, AGB with the type's prefix, BIG 1902…).
 */
export const ORGANIZATIONS = [
  { id: 'ref-praktijk-de-linde', name: 'Huisartsenpraktijk De Linde (demo)', ura: '90029901', agb: '01029901', city: 'Zwolle' },
  { id: 'ref-ziekenhuis-oost', name: 'Ziekenhuis Oost (demo)', ura: '90029902', agb: '06029902', city: 'Deventer' },
  { id: 'ref-diagnostiek-noord', name: 'Diagnostisch Centrum Noord (demo)', ura: '90029903', agb: '22029903', city: 'Zwolle' },
] as const;

/** The hospital's clusters (seed 003: admin functions and offerings belong to clusters). */
export const CLUSTERS = [
  { id: 'ref-zo-cardiologie', name: 'Cardiologie', of: 'ref-ziekenhuis-oost' },
  { id: 'ref-zo-orthopedie', name: 'Orthopedie', of: 'ref-ziekenhuis-oost' },
] as const;

export const LOCATIONS = [
  { id: 'ref-loc-zo-deventer', name: 'Ziekenhuis Oost, locatie Deventer', of: 'ref-ziekenhuis-oost', line: 'Nico Bolkesteinlaan 75', postalCode: '7416SE', city: 'Deventer' },
  { id: 'ref-loc-dcn-zwolle', name: 'Diagnostisch Centrum Noord, Zwolle', of: 'ref-diagnostiek-noord', line: 'Dokter van Heesweg 2', postalCode: '8025AB', city: 'Zwolle' },
  { id: 'ref-loc-dcn-prikpost-kampen', name: 'Prikpost Kampen', of: 'ref-diagnostiek-noord', line: 'Oudestraat 150', postalCode: '8261CR', city: 'Kampen' },
] as const;

interface Person {
  id: string;
  given: string;
  family: string;
  gender: 'male' | 'female';
  big: string;
  org: string;
  fn: ReferralFunction;
  /** The function's own AGB code (care functions). */
  agb?: string;
  clusters?: string[];
  does: string;
}

export const PEOPLE: Person[] = [
  { id: 'ref-huisarts-de-vries', given: 'Eva', family: 'de Vries', gender: 'female', big: '19020001001', org: 'ref-praktijk-de-linde', fn: 'gp', agb: '01123401', does: 'GP: finds care in the catalogue and refers' },
  { id: 'ref-praktijk-beheerder', given: 'Tom', family: 'Wolters', gender: 'male', big: '19020002001', org: 'ref-praktijk-de-linde', fn: 'admin-responsible', does: "the practice's responsible admin" },
  { id: 'ref-zo-beheer-cardiologie', given: 'Iris', family: 'Hendriks', gender: 'female', big: '19020003001', org: 'ref-ziekenhuis-oost', fn: 'admin-care-products', clusters: ['ref-zo-cardiologie'], does: 'manages the cardiology offerings (admin-care-products, cluster Cardiologie)' },
  { id: 'ref-zo-beheer-orthopedie', given: 'Bas', family: 'Kuipers', gender: 'male', big: '19020004001', org: 'ref-ziekenhuis-oost', fn: 'admin-care-products', clusters: ['ref-zo-orthopedie'], does: 'manages the orthopaedics offerings (admin-care-products, cluster Orthopedie)' },
  { id: 'ref-zo-beheer-rapportages', given: 'Nina', family: 'Bos', gender: 'female', big: '19020005001', org: 'ref-ziekenhuis-oost', fn: 'admin-reports', does: 'exports reports for the whole hospital (admin-reports): no catalogue management' },
  { id: 'ref-zo-cardioloog', given: 'Joost', family: 'Meijer', gender: 'male', big: '19020006001', org: 'ref-ziekenhuis-oost', fn: 'specialist', agb: '03123406', does: 'cardiologist at the hospital (specialist)' },
  { id: 'ref-dcn-beheer', given: 'Fleur', family: 'Jacobs', gender: 'female', big: '19020007001', org: 'ref-diagnostiek-noord', fn: 'admin-basic-care-products', does: "manages the diagnostics centre's offerings (admin-basic-care-products, whole organisation)" },
];

const orgName = (id: string) => [...ORGANIZATIONS, ...CLUSTERS].find((o) => o.id === id)!.name;
export const org = (id: string) => ref(`Organization/${id}`, orgName(id));

function organizations(): Json[] {
  return [
    ...ORGANIZATIONS.map((o) => ({
      resourceType: 'Organization',
      id: o.id,
      active: true,
      identifier: [
        { system: URA, value: o.ura },
        { system: AGB_SYSTEM, value: o.agb },
      ],
      name: o.name,
      address: [{ use: 'work', city: o.city, country: 'NL' }],
    })),
    ...CLUSTERS.map((c) => ({
      resourceType: 'Organization',
      id: c.id,
      active: true,
      type: [{ coding: [{ system: ORGANIZATION_KIND_SYSTEM, code: CLUSTER_KIND, display: 'Cluster' }] }],
      name: c.name,
      partOf: org(c.of),
    })),
  ];
}

function locations(): Json[] {
  return LOCATIONS.map((l) => ({
    resourceType: 'Location',
    id: l.id,
    status: 'active',
    name: l.name,
    address: { use: 'work', line: [l.line], postalCode: l.postalCode, city: l.city, country: 'NL' },
    managingOrganization: org(l.of),
  }));
}

function people(): Json[] {
  return PEOPLE.flatMap((p) => [
    {
      resourceType: 'Practitioner',
      id: p.id,
      active: true,
      identifier: [{ system: BIG_SYSTEM, value: p.big }],
      name: [{ use: 'official', text: `${p.given} ${p.family}`, family: p.family, given: [p.given] }],
      gender: p.gender,
      telecom: [{ system: 'email', value: `${p.id}@demo.zorgpoort.invalid`, use: 'work' }],
    },
    {
      resourceType: 'PractitionerRole',
      id: `${p.id}-${p.fn}`,
      active: true,
      ...(p.agb ? { identifier: [{ system: AGB_SYSTEM, value: p.agb }] } : {}),
      practitioner: ref(`Practitioner/${p.id}`, `${p.given} ${p.family}`),
      organization: org(p.org),
      code: [{ coding: [{ system: FUNCTION_SYSTEM, code: p.fn }] }],
      telecom: [
        { system: 'email', value: `${p.id}.${p.fn}@demo.zorgpoort.invalid`, use: 'work' },
        { system: 'phone', value: '038-0000000', use: 'work' },
      ],
      ...(p.clusters?.length
        ? { extension: p.clusters.map((c) => ({ url: CLUSTER_EXTENSION, valueReference: org(c) })) }
        : {}),
    },
  ]);
}

/** Two patients of the GP practice, for the catalogue's patient filter (age, gender). */
export const PATIENTS = [
  { id: 'ref-patient-gerrit-jansen', given: 'Gerrit', family: 'Jansen', gender: 'male', birthDate: '1958-03-14', bsn: '999992016' },
  { id: 'ref-patient-sanne-jansen', given: 'Sanne', family: 'Jansen', gender: 'female', birthDate: '2016-09-02', bsn: '999992028' },
] as const;

function patients(): Json[] {
  return PATIENTS.map((p) => ({
    resourceType: 'Patient',
    id: p.id,
    identifier: [{ system: BSN, value: p.bsn }],
    name: [{ use: 'official', text: `${p.given} ${p.family}`, family: p.family, given: [p.given] }],
    gender: p.gender,
    birthDate: p.birthDate,
    generalPractitioner: [org('ref-praktijk-de-linde'), ref('PractitionerRole/ref-huisarts-de-vries-gp')],
    managingOrganization: org('ref-praktijk-de-linde'),
  }));
}

export const directory = (): Json[] => [...organizations(), ...locations(), ...people(), ...patients()];
