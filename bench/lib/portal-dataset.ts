/**
 * The hospital portal's benchmark database (issue 16): N patients of two hospitals (custodian
 * tags `zgt`, `mst`), each with a BSN, a hospital patient number, nl-core name parts, birth
 * date, gender, an address with postcode and house number, and a GP of one of 1,000 practices;
 * for a share of them a permit for their GP, admissions and ER visits, appointments, allergies,
 * conditions, medication and lab results (a 12-month haemoglobin series for some).
 *
 * Deterministic: the same seed gives the same patients, ids and values; dates are relative to
 * `now`, so the 12-month and 90-day windows of the views hold whenever it runs. Written in
 * batches through ResourceStore.insertNew with the server's indexer and its access facts, so
 * index rows and the gate's facts are the ones the server would have written.
 */
import { random } from './dataset.ts';

export const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';
export const NUMBER_SYSTEM = (hospital: string) =>
  `https://zorgpoort.nl/fhir/NamingSystem/patient-number/${hospital.toUpperCase()}`;
export const HB = 'http://loinc.org|718-7';
export const PRACTICES = 1000;
export const HOSPITALS = ['zgt', 'mst'] as const;

const SCT = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const OWN_NAME = 'http://hl7.org/fhir/StructureDefinition/humanname-own-name';
const OWN_PREFIX = 'http://hl7.org/fhir/StructureDefinition/humanname-own-prefix';
const PARTNER_NAME = 'http://hl7.org/fhir/StructureDefinition/humanname-partner-name';
const PARTNER_PREFIX = 'http://hl7.org/fhir/StructureDefinition/humanname-partner-prefix';
const ASSEMBLY_ORDER = 'http://hl7.org/fhir/StructureDefinition/humanname-assembly-order';
const ADXP = 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-';
const UCUM = 'http://unitsofmeasure.org';
const DAY = 86_400_000;

// prettier-ignore
const FAMILIES: [string | undefined, string][] = [
  ['de', 'Vries'], [undefined, 'Jansen'], ['van den', 'Berg'], [undefined, 'Bakker'], [undefined, 'Visser'],
  [undefined, 'Smit'], [undefined, 'Meijer'], ['de', 'Boer'], [undefined, 'Mulder'], ['de', 'Groot'],
  [undefined, 'Bos'], [undefined, 'Vos'], [undefined, 'Peters'], [undefined, 'Hendriks'], ['van', 'Leeuwen'],
  [undefined, 'Dekker'], [undefined, 'Brouwer'], ['de', 'Wit'], [undefined, 'Dijkstra'], [undefined, 'Smits'],
  ['de', 'Graaf'], ['van der', 'Meer'], ['van der', 'Linden'], [undefined, 'Kok'], [undefined, 'Jacobs'],
  ['de', 'Haan'], [undefined, 'Vermeulen'], ['van', 'Dijk'], [undefined, 'Schouten'], [undefined, 'Willems'],
  [undefined, 'Hoekstra'], [undefined, 'Koster'], [undefined, 'Verhoeven'], [undefined, 'Prins'],
  [undefined, 'Huisman'], [undefined, 'Kuipers'], [undefined, 'Postma'], [undefined, 'Wouters'],
  [undefined, 'Maas'], [undefined, 'Kramer'], [undefined, 'Gerritsen'], [undefined, 'Kuijpers'],
  ['van', 'Beek'], [undefined, 'Scholten'], ['van', 'Wijk'], [undefined, 'Post'], [undefined, 'Martens'],
  [undefined, 'Vink'], [undefined, 'Blom'], [undefined, 'Evers'], [undefined, 'Kroon'], [undefined, 'Boersma'],
  ['ter', 'Horst'], [undefined, 'Nijhuis'], [undefined, 'Oude Luttikhuis'], [undefined, 'Wolters'],
  [undefined, 'Kamphuis'], [undefined, 'Hofman'], [undefined, 'Lammers'], ['van', 'Vliet'],
  [undefined, 'Brinkman'], [undefined, 'Timmermans'], [undefined, 'Groen'], [undefined, 'Hermans'],
  [undefined, 'Veenstra'], [undefined, 'Bosman'], ['van', 'Dam'], [undefined, 'Koning'], [undefined, 'Haverkamp'],
  [undefined, 'Brink'], [undefined, 'Geerts'], ['van', 'Loon'], [undefined, 'Schipper'], [undefined, 'Zwart'],
  [undefined, 'Engels'], ['van', 'Veen'], [undefined, 'Wessels'], ['ten', 'Hove'], [undefined, 'Hulshof'],
  [undefined, 'Leferink'],
];
// prettier-ignore
const GIVEN = {
  male: ['Jan', 'Henk', 'Piet', 'Gerrit', 'Bram', 'Daan', 'Sem', 'Lucas', 'Thijs', 'Ruud', 'Kees', 'Wim', 'Joost', 'Bart', 'Tim', 'Jeroen', 'Erik', 'Hans', 'Marco', 'Sander'],
  female: ['Anna', 'Maria', 'Emma', 'Sophie', 'Julia', 'Tess', 'Lotte', 'Anouk', 'Sanne', 'Ingrid', 'Els', 'Marleen', 'Petra', 'Annelies', 'Fenna', 'Lieke', 'Ilse', 'Mirjam', 'Wilma', 'Esther'],
};
const STREETS = [
  'Dorpsstraat',
  'Kerkstraat',
  'Schoolstraat',
  'Molenweg',
  'Hengelosestraat',
  'Deurningerstraat',
];
const LAB_TESTS: [string, string, string, number, number][] = [
  ['718-7', 'Hemoglobine', 'mmol/L', 8.5, 11],
  ['2160-0', 'Kreatinine', 'umol/L', 60, 110],
  ['2345-7', 'Glucose', 'mmol/L', 4, 7.8],
  ['6690-2', 'Leukocyten', '10*9/L', 4, 10],
  ['777-3', 'Trombocyten', '10*9/L', 150, 400],
  ['2823-3', 'Kalium', 'mmol/L', 3.5, 5],
];
const CONDITIONS = [
  ['44054006', 'Diabetes mellitus type 2'],
  ['38341003', 'Hypertensie'],
  ['195967001', 'Astma'],
  ['13645005', 'COPD'],
  ['49436004', 'Atriumfibrilleren'],
  ['396275006', 'Artrose'],
];
const ALLERGIES = ['Penicilline', 'Noten', 'Pinda', 'Latex', 'Jodium', 'Huisstofmijt'];
const MEDICATIONS = [
  'Metformine 500mg',
  'Amlodipine 5mg',
  'Salbutamol',
  'Omeprazol 20mg',
  'Simvastatine 40mg',
];

export interface Item {
  resourceType: string;
  id: string;
  resource: Record<string, unknown> & { resourceType: string };
}

/** What the workloads ask about a patient. */
export interface PortalPatient {
  id: string;
  hospital: (typeof HOSPITALS)[number];
  number: string;
  bsn: string;
  ownName: string;
  partnerName?: string;
  birthDate: string;
  gender: 'male' | 'female';
  postcode: string;
  houseNumber: string;
  practice: number;
  permit: boolean;
  /** Has a 12-month haemoglobin series. */
  series: boolean;
}

export const practiceOrg = (k: number) => `gp-practice-${k}`;
export const practitioner = (k: number) => `gp-${k}`;

/** BSNs that pass the 11-proef, in order: `99` + six digits + the check digit. */
function* bsns(): Generator<string> {
  for (let k = 0; k < 1_000_000; k++) {
    const head = `99${String(k).padStart(6, '0')}`;
    const sum = [...head].reduce((s, d, i) => s + Number(d) * (9 - i), 0);
    if (sum % 11 < 10) yield head + String(sum % 11);
  }
}

const coded = (system: string, code: string, display?: string) => ({
  coding: [{ system, code, ...(display ? { display } : {}) }],
});
const held = (org: string) => ({ meta: { tag: [{ system: CUSTODIAN, code: org }] } });

/** The directory: both hospitals, 1,000 GP practices each with a GP and their role there. */
export function directory(): Item[] {
  const items: Item[] = HOSPITALS.map((h) => ({
    resourceType: 'Organization',
    id: h,
    resource: { resourceType: 'Organization', id: h, name: h === 'zgt' ? 'ZGT' : 'MST' },
  }));
  for (let k = 0; k < PRACTICES; k++) {
    items.push(
      {
        resourceType: 'Organization',
        id: practiceOrg(k),
        resource: { resourceType: 'Organization', name: `Huisartsenpraktijk ${k}` },
      },
      {
        resourceType: 'Practitioner',
        id: practitioner(k),
        resource: { resourceType: 'Practitioner', name: [{ family: `Huisarts-${k}` }] },
      },
      {
        resourceType: 'PractitionerRole',
        id: `gp-role-${k}`,
        resource: {
          resourceType: 'PractitionerRole',
          practitioner: { reference: `Practitioner/${practitioner(k)}` },
          organization: { reference: `Organization/${practiceOrg(k)}` },
          code: [coded('urn:oid:2.16.840.1.113883.2.4.15.111', '01.015')],
        },
      },
    );
  }
  for (const it of items) it.resource.id = it.id;
  return items;
}

/**
 * Patients `from` to `to` (exclusive) of the database and their records. Each patient draws
 * from its own seeded stream, so a batch is the same whichever order batches are made in.
 */
export function patientBatch(
  from: number,
  to: number,
  now: Date,
): { items: Item[]; patients: PortalPatient[] } {
  const items: Item[] = [];
  const patients: PortalPatient[] = [];
  const bsn = bsnAt;
  for (let i = from; i < to; i++) {
    const rnd = random(1_000_003 * (i + 1));
    const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
    const chance = (p: number) => rnd() < p;
    const between = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const id = `pt-${i}`;
    const hospital = chance(0.6) ? 'zgt' : 'mst';
    const gender = chance(0.5) ? 'female' : 'male';
    const [ownPrefix, ownName] = pick(FAMILIES);
    const partner = chance(gender === 'female' ? 0.45 : 0.1) ? pick(FAMILIES) : undefined;
    const birth = new Date(Date.UTC(1930, 0, 1) + Math.floor(rnd() * 92 * 365.25) * DAY);
    const birthDate = birth.toISOString().slice(0, 10);
    const postcode = `${between(1000, 9999)}${String.fromCharCode(65 + between(0, 25), 65 + between(0, 25))}`;
    const houseNumber = String(between(1, 250));
    const suffix = chance(0.1) ? pick(['a', 'b', 'bis']) : undefined;
    const practice = Math.floor(rnd() * PRACTICES);
    const permit = chance(0.6);
    const series = chance(0.1);
    const number = `${hospital === 'zgt' ? 'Z' : 'M'}${String(1_000_000 + i * 7)}`;
    const fact: PortalPatient = {
      id,
      hospital,
      number,
      bsn: bsn(i),
      ownName,
      partnerName: partner?.[1],
      birthDate,
      gender,
      postcode,
      houseNumber,
      practice,
      permit,
      series,
    };
    patients.push(fact);
    const joined = (p: [string | undefined, string]) => (p[0] ? `${p[0]} ${p[1]}` : p[1]);
    const family = partner
      ? `${joined(partner)}-${joined([ownPrefix, ownName])}`
      : joined([ownPrefix, ownName]);
    const street = pick(STREETS);
    const identifiers = [
      { system: BSN_SYSTEM, value: fact.bsn },
      { system: NUMBER_SYSTEM(hospital), value: number },
    ];
    // Some are known at the other hospital too, under its own number.
    if (chance(0.15)) {
      const other = hospital === 'zgt' ? 'mst' : 'zgt';
      identifiers.push({
        system: NUMBER_SYSTEM(other),
        value: `${other === 'zgt' ? 'Z' : 'M'}${9_000_000 + i}`,
      });
    }
    const patient = {
      resourceType: 'Patient',
      id,
      ...held(hospital),
      identifier: identifiers,
      name: [
        {
          use: 'official',
          family,
          _family: {
            extension: [
              ...(ownPrefix ? [{ url: OWN_PREFIX, valueString: ownPrefix }] : []),
              { url: OWN_NAME, valueString: ownName },
              ...(partner?.[0] ? [{ url: PARTNER_PREFIX, valueString: partner[0] }] : []),
              ...(partner ? [{ url: PARTNER_NAME, valueString: partner[1] }] : []),
            ],
          },
          given: [pick(GIVEN[gender])],
          ...(partner
            ? {
                extension: [
                  {
                    url: ASSEMBLY_ORDER,
                    valueCode: 'NL4',
                  },
                ],
              }
            : {}),
        },
      ],
      gender,
      birthDate,
      address: [
        {
          use: 'home',
          line: [`${street} ${houseNumber}${suffix ?? ''}`],
          _line: [
            {
              extension: [
                { url: `${ADXP}streetName`, valueString: street },
                { url: `${ADXP}houseNumber`, valueString: houseNumber },
                ...(suffix ? [{ url: `${ADXP}buildingNumberSuffix`, valueString: suffix }] : []),
              ],
            },
          ],
          city: 'Enschede',
          postalCode: postcode,
          country: 'NL',
        },
      ],
      generalPractitioner: [
        { reference: `Organization/${practiceOrg(practice)}` },
        { reference: `Practitioner/${practitioner(practice)}` },
      ],
    };
    const add = (resourceType: string, suffixId: string, resource: Record<string, unknown>) =>
      items.push({
        resourceType,
        id: `${id}-${suffixId}`,
        resource: { resourceType, id: `${id}-${suffixId}`, ...resource },
      });
    items.push({ resourceType: 'Patient', id, resource: patient });
    const subject = { reference: `Patient/${id}` };
    const s = (over: Record<string, unknown>) => ({ ...held(hospital), subject, ...over });
    const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
    if (permit) {
      add('Consent', 'permit', {
        status: 'active',
        scope: coded('http://terminology.hl7.org/CodeSystem/consentscope', 'patient-privacy'),
        category: [coded(LOINC, '59284-0')],
        patient: subject,
        policy: [{ uri: 'https://zorgpoort.nl/consent' }],
        provision: {
          type: 'permit',
          actor: [
            {
              role: { text: 'huisarts' },
              reference: { reference: `Practitioner/${practitioner(practice)}` },
            },
            {
              role: { text: 'huisartsenpraktijk' },
              reference: { reference: `Organization/${practiceOrg(practice)}` },
            },
          ],
        },
      });
    }
    // Admissions and ER visits.
    if (chance(0.35)) {
      for (let e = between(1, 2); e > 0; e--) {
        const emergency = chance(0.5);
        const start = between(1, 1500);
        add('Encounter', `enc-${e}`, {
          ...held(hospital),
          status: 'finished',
          class: {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
            code: emergency ? 'EMER' : 'IMP',
          },
          subject,
          serviceProvider: { reference: `Organization/${hospital}` },
          period: { start: ago(start), end: ago(start - (emergency ? 0.2 : between(1, 10))) },
        });
      }
    }
    // Appointments: past and future.
    if (chance(0.4)) {
      for (let a = between(1, 2); a > 0; a--) {
        const future = chance(0.4);
        const start = future ? ago(-between(1, 120)) : ago(between(1, 700));
        add('Appointment', `appt-${a}`, {
          ...held(hospital),
          status: future ? 'booked' : 'fulfilled',
          start,
          end: new Date(Date.parse(start) + 1_800_000).toISOString(),
          participant: [
            { actor: subject, status: 'accepted' },
            { actor: { reference: `Organization/${hospital}` }, status: 'accepted' },
          ],
        });
      }
    }
    if (chance(0.25)) {
      add('AllergyIntolerance', 'allergy', {
        ...held(hospital),
        patient: subject,
        clinicalStatus: coded('http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', 'active'),
        verificationStatus: coded(
          'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
          chance(0.8) ? 'confirmed' : 'unconfirmed',
        ),
        code: { text: pick(ALLERGIES) },
      });
    }
    if (chance(0.5)) {
      for (let c = between(1, 2); c > 0; c--) {
        const [code, display] = pick(CONDITIONS);
        add(
          'Condition',
          `cond-${c}`,
          s({
            clinicalStatus: coded('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active'),
            verificationStatus: coded(
              'http://terminology.hl7.org/CodeSystem/condition-ver-status',
              chance(0.85) ? 'confirmed' : 'provisional',
            ),
            category: [coded(SCT, '64572001')],
            code: coded(SCT, code!, display),
            onsetDateTime: ago(between(30, 5000)),
          }),
        );
      }
    }
    if (chance(0.45)) {
      for (let m = between(1, 2); m > 0; m--) {
        const start = between(-10, 700);
        add(
          'MedicationRequest',
          `med-${m}`,
          s({
            status: chance(0.8) ? 'active' : 'completed',
            intent: 'order',
            medicationCodeableConcept: { text: pick(MEDICATIONS) },
            authoredOn: ago(Math.max(start, 0)),
            extension: [
              {
                url: 'http://nictiz.nl/fhir/StructureDefinition/ext-TimeInterval.Period',
                valuePeriod: { start: ago(start), ...(chance(0.3) ? { end: ago(start - 90) } : {}) },
              },
            ],
          }),
        );
      }
    }
    const lab = (key: string, test: (typeof LAB_TESTS)[number], days: number, order?: string) => {
      const [code, display, unit, low, high] = test;
      const value = +(low + (rnd() * 1.3 - 0.15) * (high - low)).toFixed(1);
      add(
        'Observation',
        key,
        s({
          status: chance(0.95) ? 'final' : 'preliminary',
          category: [coded('http://terminology.hl7.org/CodeSystem/observation-category', 'laboratory')],
          code: coded(LOINC, code, display),
          effectiveDateTime: ago(days),
          ...(order ? { basedOn: [{ reference: `ServiceRequest/${id}-${order}` }] } : {}),
          valueQuantity: { value, unit, system: UCUM, code: unit },
          referenceRange: [
            {
              low: { value: low, unit, system: UCUM, code: unit },
              high: { value: high, unit, system: UCUM, code: unit },
            },
          ],
        }),
      );
    };
    const order = (key: string, days: number) =>
      add(
        'ServiceRequest',
        key,
        s({
          status: 'completed',
          intent: 'order',
          category: [coded(SCT, '108252007', 'Laboratory procedure')],
          code: { text: 'Lab' },
          authoredOn: ago(days),
          requester: { reference: `Organization/${hospital}` },
        }),
      );
    // A lab order with a few results.
    if (chance(0.45)) {
      const days = between(1, 1000);
      order('lab-order', days);
      const first = Math.floor(rnd() * LAB_TESTS.length);
      for (let t = 0; t < between(2, 3); t++)
        lab(`lab-${t}`, LAB_TESTS[(first + t) % LAB_TESTS.length]!, days, 'lab-order');
    }
    // A 12-month haemoglobin series: a standing order, monthly-ish results, one from before the window.
    if (series) {
      order('hb-order', 400);
      lab('hb-old', LAB_TESTS[0]!, between(380, 420), 'hb-order');
      for (let k = 0; k < 8; k++) lab(`hb-${k}`, LAB_TESTS[0]!, 10 + k * 43 + between(0, 10), 'hb-order');
    }
  }
  return { items, patients };
}

const BSN_LIST: string[] = [];
const bsnSource = bsns();
function bsnAt(i: number): string {
  while (BSN_LIST.length <= i) BSN_LIST.push(bsnSource.next().value!);
  return BSN_LIST[i]!;
}
