import { org, person } from './directory.ts';
import {
  BSN,
  concept,
  held,
  LOINC,
  PATIENT_NUMBER,
  ref,
  SCT,
  type Clock,
  type Hospital,
  type Json,
} from './context.ts';

const EXT = 'http://hl7.org/fhir/StructureDefinition';
const NL_EXT = 'http://nictiz.nl/fhir/StructureDefinition';
const QUALIFIER = `${EXT}/iso21090-EN-qualifier`;

export interface PatientInfo {
  key: string;
  id: string;
  bsn: string;
  given: string[];
  /** Usual first name. */
  call: string;
  own: [prefix: string | undefined, name: string];
  partner?: [prefix: string | undefined, name: string];
  gender: 'male' | 'female';
  born: [yearsAgo: number, month: number, day: number];
  street: string;
  houseNumber: string;
  postalCode: string;
  city: string;
  phone: string;
  email: string;
  numbers: Partial<Record<Hospital, string>>;
  /** The hospital that registered them first (holds the Patient resource). */
  registeredAt: Hospital;
  gp?: string;
  policy: string;
}

export const PATIENTS: PatientInfo[] = [
  {
    key: 'johanna',
    id: 'hz-johanna-hendriks',
    bsn: '999991012',
    given: ['Johanna', 'Geertruida'],
    call: 'Jo',
    own: [undefined, 'Hendriks'],
    partner: ['ter', 'Horst'],
    gender: 'female',
    born: [70, 3, 14],
    street: 'Roombeek',
    houseNumber: '12',
    postalCode: '7523 AB',
    city: 'Enschede',
    phone: '+31612345001',
    email: 'jo.hendriks@demo.zorgpoort.invalid',
    numbers: { zgt: '7001234', mst: '5004321' },
    registeredAt: 'zgt',
    gp: 'hz-huisarts-bakker',
    policy: 'OZ-100200301',
  },
  {
    key: 'willem',
    id: 'hz-willem-mensink',
    bsn: '999991024',
    given: ['Willem', 'Antonius'],
    call: 'Wim',
    own: [undefined, 'Mensink'],
    gender: 'male',
    born: [78, 11, 2],
    street: 'Oldenzaalsestraat',
    houseNumber: '201',
    postalCode: '7511 DZ',
    city: 'Enschede',
    phone: '+31612345002',
    email: 'w.mensink@demo.zorgpoort.invalid',
    numbers: { mst: '5008765' },
    registeredAt: 'mst',
    gp: 'hz-huisarts-bakker',
    policy: 'OZ-100200302',
  },
  {
    key: 'gerrit',
    id: 'hz-gerrit-bosch',
    bsn: '999991036',
    given: ['Gerrit', 'Jan'],
    call: 'Gerrit',
    own: [undefined, 'Bosch'],
    gender: 'male',
    born: [55, 6, 21],
    street: 'Deldenerstraat',
    houseNumber: '48',
    postalCode: '7551 AH',
    city: 'Hengelo',
    phone: '+31612345003',
    email: 'gerrit.bosch@demo.zorgpoort.invalid',
    numbers: { mst: '5002468', zgt: '7002468' },
    registeredAt: 'mst',
    gp: 'hz-huisarts-kok',
    policy: 'OZ-100200303',
  },
  {
    key: 'hendrika',
    id: 'hz-hendrika-nijhuis',
    bsn: '999991048',
    given: ['Hendrika', 'Maria'],
    call: 'Riek',
    own: [undefined, 'Nijhuis'],
    partner: ['Oude', 'Luttikhuis'],
    gender: 'female',
    born: [89, 8, 30],
    street: 'Geerdinksweg',
    houseNumber: '141',
    postalCode: '7555 DL',
    city: 'Hengelo',
    phone: '+31612345004',
    email: 'riek.nijhuis@demo.zorgpoort.invalid',
    numbers: { zgt: '7003579' },
    registeredAt: 'zgt',
    policy: 'OZ-100200304',
  },
];

export const patientRef = (key: string) => {
  const p = PATIENTS.find((x) => x.key === key);
  if (!p) throw new Error(`no such patient ${key}`);
  return ref(`Patient/${p.id}`, fullName(p));
};

export function fullName(p: PatientInfo): string {
  const part = ([prefix, name]: [string | undefined, string]) => (prefix ? `${prefix} ${name}` : name);
  return `${p.given[0]} ${part(p.own)}${p.partner ? `-${part(p.partner)}` : ''}`;
}

function name(p: PatientInfo): Json {
  const part = ([prefix, n]: [string | undefined, string]) => (prefix ? `${prefix} ${n}` : n);
  const family = `${part(p.own)}${p.partner ? `-${part(p.partner)}` : ''}`;
  const parts = (kind: 'own' | 'partner', [prefix, n]: [string | undefined, string]) => [
    ...(prefix ? [{ url: `${EXT}/humanname-${kind}-prefix`, valueString: prefix }] : []),
    { url: `${EXT}/humanname-${kind}-name`, valueString: n },
  ];
  return {
    ...(p.partner
      ? { extension: [{ url: `${EXT}/humanname-assembly-order`, valueCode: 'NL4' }] }
      : {}),
    use: 'official',
    text: `${p.given[0]} ${family}`,
    family,
    _family: {
      extension: [...parts('own', p.own), ...(p.partner ? parts('partner', p.partner) : [])],
    },
    given: p.given,
    _given: p.given.map(() => ({ extension: [{ url: QUALIFIER, valueCode: 'BR' }] })),
  };
}

function patient(p: PatientInfo, clock: Clock): Json {
  return held(
    p.registeredAt,
    {
      resourceType: 'Patient',
      id: p.id,
      identifier: [
        { system: BSN, value: p.bsn },
        ...Object.entries(p.numbers).map(([authority, value]) => ({
          system: `${PATIENT_NUMBER}/${authority}`,
          value,
        })),
      ],
      active: true,
      name: [
        name(p),
        {
          use: 'usual',
          given: [p.call],
          _given: [{ extension: [{ url: QUALIFIER, valueCode: 'CL' }] }],
        },
      ],
      telecom: [
        {
          system: 'phone',
          _system: {
            extension: [
              {
                url: `${NL_EXT}/ext-CodeSpecification`,
                valueCodeableConcept: concept(
                  'http://terminology.hl7.org/CodeSystem/v3-AddressUse',
                  'MC',
                  'Mobile Phone',
                ),
              },
            ],
          },
          value: p.phone,
        },
        { system: 'email', value: p.email, use: 'home' },
      ],
      gender: p.gender,
      birthDate: clock.yearsAgo(...p.born),
      address: [
        {
          use: 'home',
          type: 'both',
          line: [`${p.street} ${p.houseNumber}`],
          _line: [
            {
              extension: [
                { url: `${EXT}/iso21090-ADXP-streetName`, valueString: p.street },
                { url: `${EXT}/iso21090-ADXP-houseNumber`, valueString: p.houseNumber },
              ],
            },
          ],
          city: p.city,
          postalCode: p.postalCode,
          country: 'NL',
        },
      ],
      ...(p.gp ? { generalPractitioner: [person(p.gp)] } : {}),
    },
    'nl-core-Patient',
  );
}

/**
 * The patient's own caregivers outside the hospital (the portal's "patiëntgegevens": GP,
 * dentist, pharmacy), as a CareTeam of the patient. It states who they are, not a treatment
 * relationship (no CarePlan or episode names it).
 */
function ownCaregivers(p: PatientInfo): Json {
  const member = (who: Json, code: string, display: string) => ({
    role: [concept(SCT, code, display)],
    member: who,
  });
  return held(p.registeredAt, {
    resourceType: 'CareTeam',
    id: `${p.id}-zorgverleners`,
    status: 'active',
    name: 'Vaste zorgverleners',
    subject: patientRef(p.key),
    participant: [
      ...(p.gp ? [member(person(p.gp), '62247001', 'Huisarts')] : []),
      member(org('apotheek-de-esch'), '46255001', 'Apotheker'),
      member(org('tandarts-twekkelo'), '106289002', 'Tandarts'),
    ],
  });
}

function coverage(p: PatientInfo, clock: Clock): Json {
  return held(
    p.registeredAt,
    {
      resourceType: 'Coverage',
      id: `${p.id}-verzekering`,
      status: 'active',
      type: concept('urn:oid:2.16.840.1.113883.2.4.3.11.60.101.5.1', 'B', 'Basis'),
      subscriberId: p.policy,
      beneficiary: patientRef(p.key),
      period: { start: `${clock.today.getUTCFullYear()}-01-01` },
      payor: [org('zorgverzekeraar-oost')],
    },
    'nl-core-Payer.InsuranceCompany',
  );
}

/**
 * The patient's explicit consent (seed 002: "behandelrelatie én expliciete toestemming"): the
 * hospital's data may be shown to this caregiver (server/access/README.md, Consent).
 */
export function permit(key: string, practitionerId: string, clock: Clock): Json {
  const p = PATIENTS.find((x) => x.key === key)!;
  return held(p.registeredAt, {
    resourceType: 'Consent',
    id: `${p.id}-toestemming-${practitionerId.replace(/^hz-/, '')}`,
    status: 'active',
    scope: concept('http://terminology.hl7.org/CodeSystem/consentscope', 'patient-privacy', 'Privacy Consent'),
    category: [concept(LOINC, '59284-0', 'Patient Consent')],
    patient: patientRef(key),
    dateTime: clock.at(-200, 10),
    policyRule: concept('http://terminology.hl7.org/CodeSystem/v3-ActCode', 'OPTIN', 'opt-in'),
    provision: {
      type: 'permit',
      actor: [
        {
          role: concept('http://terminology.hl7.org/CodeSystem/v3-ParticipationType', 'IRCP', 'information recipient'),
          reference: person(practitionerId),
        },
      ],
    },
  });
}

/** Each patient's demographics, insurance and own caregivers. */
export function demographics(key: string, clock: Clock): Json[] {
  const p = PATIENTS.find((x) => x.key === key)!;
  return [patient(p, clock), coverage(p, clock), ownCaregivers(p)];
}
