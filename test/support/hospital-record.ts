/**
 * A hospital record with a row for every screen of the caregiver portal (seed 002), and rows that
 * a screen must leave out (unapproved, the GP's own lab orders, outside a window), for the portal
 * tests. Dates are relative to `now`, so the 7-day and 12-month windows hold whenever it runs.
 */
type Json = Record<string, unknown>;
export type Fixture = readonly [string, string, Json];

export const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
export const UZI_ROLE = 'urn:oid:2.16.840.1.113883.2.4.15.111';
export const ORG_TYPE = 'http://nictiz.nl/fhir/NamingSystem/organization-type';
const SCT = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
const HOUR = 3_600_000;

export function at(now: Date, hours: number): string {
  return new Date(now.getTime() + hours * HOUR).toISOString();
}
export function monthsFrom(now: Date, months: number, hours = 0): string {
  const d = new Date(now.getTime() + hours * HOUR);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString();
}

const held = (org: string) => ({ meta: { tag: [{ system: CUSTODIAN, code: org }] } });
const coded = (system: string, code: string, display?: string) => ({
  coding: [{ system, code, ...(display ? { display } : {}) }],
});
const role = (id: string, practitioner: string, org: string, code: string): Fixture => [
  'PractitionerRole',
  id,
  {
    practitioner: { reference: `Practitioner/${practitioner}` },
    organization: { reference: `Organization/${org}` },
    code: [coded(UZI_ROLE, code)],
  },
];

/** The network: two hospitals, two GP practices, a GP post; GPs, a hospital internist. */
export function portalNetwork(): Fixture[] {
  return [
    ['Organization', 'zgt', { name: 'Ziekenhuisgroep Twente' }],
    ['Organization', 'mst', { name: 'Medisch Spectrum Twente' }],
    ['Organization', 'praktijk', { name: 'Huisartsenpraktijk De Linde' }],
    ['Organization', 'praktijk2', { name: 'Huisartsenpraktijk Het Plein' }],
    ['Organization', 'hap', { name: 'Huisartsenpost Twente', type: [coded(ORG_TYPE, 'HAP')] }],
    ['Practitioner', 'gp', { name: [{ family: 'Linde' }] }],
    ['Practitioner', 'gp2', { name: [{ family: 'Plein' }] }],
    ['Organization', 'praktijk3', { name: 'Huisartsenpraktijk De Es' }],
    ['Practitioner', 'gp3', { name: [{ family: 'Es' }] }],
    role('gp3-role', 'gp3', 'praktijk3', '01.015'),
    ['Practitioner', 'hap-arts', { name: [{ family: 'Post' }] }],
    ['Practitioner', 'internist', { name: [{ family: 'Intern' }] }],
    role('gp-role', 'gp', 'praktijk', '01.015'),
    role('gp2-role', 'gp2', 'praktijk2', '01.015'),
    role('hap-arts-role', 'hap-arts', 'hap', '01.015'),
    role('internist-role', 'internist', 'zgt', '01.018'),
  ];
}

const patient = (id: string, gps: string[]): Fixture => [
  'Patient',
  id,
  {
    ...held('zgt'),
    identifier: [{ system: 'https://zorgpoort.nl/fhir/NamingSystem/patient-number/ZGT', value: `N-${id}` }],
    name: [{ family: `Test-${id}` }],
    gender: 'male',
    birthDate: '1955-05-05',
    generalPractitioner: gps.map((gp) => ({ reference: `Practitioner/${gp}` })),
  },
];

/** The patient's permit for the GP `gp` (the seed's "expliciete toestemming"). */
export function permitFor(patientId: string, practitioner: string, recordedBy?: string): Fixture {
  return [
    'Consent',
    `${patientId}-permit-${practitioner}`,
    {
      ...(recordedBy ? { organization: [{ reference: `Organization/${recordedBy}` }] } : {}),
      status: 'active',
      scope: coded('http://terminology.hl7.org/CodeSystem/consentscope', 'patient-privacy'),
      category: [coded(LOINC, '59284-0')],
      patient: { reference: `Patient/${patientId}` },
      policy: [{ uri: 'https://zorgpoort.nl/consent' }],
      provision: {
        type: 'permit',
        actor: [{ role: { text: 'huisarts' }, reference: { reference: `Practitioner/${practitioner}` } }],
      },
    },
  ];
}

/** Patient p1's record at ZGT (and one result at MST), p3 an inpatient who is nobody's here. */
export function portalRecord(now: Date): Fixture[] {
  const p = { reference: 'Patient/p1' };
  const s = (over: Json) => ({ ...held('zgt'), subject: p, ...over });
  const encounter = (
    id: string,
    cls: string,
    status: string,
    start: string,
    end?: string,
    who = p,
  ): Fixture => [
    'Encounter',
    id,
    {
      ...held('zgt'),
      status,
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: cls },
      subject: who,
      serviceProvider: { reference: 'Organization/zgt' },
      period: { start, ...(end ? { end } : {}) },
    },
  ];
  const surgical = [coded(SCT, '387713003')];
  const medication = (id: string, over: Json): Fixture => [
    'MedicationRequest',
    id,
    s({ status: 'active', intent: 'order', medicationCodeableConcept: { text: id }, ...over }),
  ];
  const inpatient = [coded('http://terminology.hl7.org/CodeSystem/medicationrequest-category', 'inpatient')];
  const lab = (id: string, hours: number, value: number, over: Json = {}): Fixture => [
    'Observation',
    id,
    s({
      status: 'final',
      category: [coded('http://terminology.hl7.org/CodeSystem/observation-category', 'laboratory')],
      code: coded(LOINC, '718-7', 'Hemoglobine'),
      effectiveDateTime: at(now, hours),
      valueQuantity: { value, unit: 'mmol/l', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
      referenceRange: [
        {
          low: { value: 8.5, unit: 'mmol/l', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
          high: { value: 11, unit: 'mmol/l', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
        },
      ],
      ...over,
    }),
  ];
  const report = (id: string, section: string, over: Json = {}): Fixture => [
    'DiagnosticReport',
    id,
    s({
      status: 'final',
      category: [coded(V2_0074, section)],
      code: { text: id },
      effectiveDateTime: at(now, -48),
      ...over,
    }),
  ];
  const pdf = Buffer.from('%PDF-1.4\n%demo letter\n%%EOF\n').toString('base64');
  const png =
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
  const document = (id: string, type: Json, docStatus = 'final'): Fixture => [
    'DocumentReference',
    id,
    s({
      status: 'current',
      docStatus,
      type,
      date: at(now, -72),
      content: [{ attachment: { contentType: 'application/pdf', data: pdf, title: id } }],
    }),
  ];
  const device = (id: string, code: string): Fixture[] => [
    ['Device', id, { ...held('zgt'), patient: p, type: coded(SCT, code) }],
    ['DeviceUseStatement', `use-${id}`, s({ status: 'active', device: { reference: `Device/${id}` } })],
  ];
  return [
    patient('p1', ['gp', 'gp2', 'gp3']),
    patient('p3', []),
    permitFor('p1', 'gp'),
    // Given at MST only: MST's data, not ZGT's.
    permitFor('p1', 'gp3', 'mst'),
    // Lists and care moments
    encounter('adm-now', 'IMP', 'in-progress', at(now, -48)),
    encounter('adm-old', 'IMP', 'finished', at(now, -2400), at(now, -2300)),
    encounter('adm-p3', 'IMP', 'in-progress', at(now, -5), undefined, { reference: 'Patient/p3' }),
    encounter('er-inside', 'EMER', 'finished', at(now, -7 * 24 + 1), at(now, -7 * 24 + 3)),
    encounter('er-outside', 'EMER', 'finished', at(now, -7 * 24 - 1), at(now, -6 * 24)),
    [
      'Appointment',
      'appt-past',
      {
        ...held('zgt'),
        status: 'fulfilled',
        start: at(now, -720),
        end: at(now, -719),
        participant: [{ actor: p, status: 'accepted' }],
      },
    ],
    [
      'Appointment',
      'appt-future',
      {
        ...held('zgt'),
        status: 'booked',
        start: at(now, 240),
        end: at(now, 241),
        participant: [{ actor: p, status: 'accepted' }],
      },
    ],
    [
      'Appointment',
      'appt-proposed',
      { ...held('zgt'), status: 'proposed', participant: [{ actor: p, status: 'needs-action' }] },
    ],
    [
      'Procedure',
      'op-done',
      s({
        status: 'completed',
        category: surgical[0],
        code: { text: 'Appendectomie' },
        performedDateTime: at(now, -900),
      }),
    ],
    [
      'Procedure',
      'op-planned',
      s({ status: 'preparation', category: surgical[0], code: { text: 'Heupprothese' } }),
    ],
    [
      'ServiceRequest',
      'wl-called',
      s({ status: 'active', intent: 'order', category: surgical, code: { text: 'Knie-artroscopie' } }),
    ],
    [
      'Appointment',
      'wl-appt',
      {
        ...held('zgt'),
        status: 'booked',
        basedOn: [{ reference: 'ServiceRequest/wl-called' }],
        start: at(now, 300),
        end: at(now, 302),
        participant: [{ actor: p, status: 'accepted' }],
      },
    ],
    [
      'ServiceRequest',
      'wl-waiting',
      s({ status: 'active', intent: 'order', category: surgical, code: { text: 'Cataract' } }),
    ],
    [
      'ServiceRequest',
      'ref-open',
      s({
        status: 'active',
        intent: 'order',
        category: [coded(SCT, '3457005')],
        code: { text: 'Cardiologie' },
      }),
    ],
    [
      'ServiceRequest',
      'ref-done',
      s({
        status: 'completed',
        intent: 'order',
        category: [coded(SCT, '3457005')],
        code: { text: 'Neurologie' },
      }),
    ],
    // Dossier
    [
      'AllergyIntolerance',
      'allergy',
      {
        ...held('zgt'),
        patient: p,
        verificationStatus: coded(
          'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
          'confirmed',
        ),
        code: { text: 'Penicilline' },
      },
    ],
    [
      'AllergyIntolerance',
      'allergy-unconfirmed',
      {
        ...held('zgt'),
        patient: p,
        verificationStatus: coded(
          'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
          'unconfirmed',
        ),
        code: { text: 'Noten' },
      },
    ],
    [
      'Condition',
      'condition',
      s({
        verificationStatus: coded('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'confirmed'),
        category: [coded(SCT, '64572001')],
        code: { text: 'Diabetes mellitus' },
      }),
    ],
    [
      'Condition',
      'condition-provisional',
      s({
        verificationStatus: coded(
          'http://terminology.hl7.org/CodeSystem/condition-ver-status',
          'provisional',
        ),
        category: [coded(SCT, '64572001')],
        code: { text: 'Astma?' },
      }),
    ],
    // The practice's own provisional entry: the GP's own data, never held back from them.
    [
      'Condition',
      'gp-own-provisional',
      {
        ...held('praktijk'),
        subject: p,
        verificationStatus: coded(
          'http://terminology.hl7.org/CodeSystem/condition-ver-status',
          'provisional',
        ),
        code: { text: 'Vermoeidheid?' },
      },
    ],
    [
      'Condition',
      'diagnosis',
      s({
        clinicalStatus: coded('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active'),
        verificationStatus: coded('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'confirmed'),
        category: [coded(SCT, '282291009')],
        code: { text: 'Pneumonie' },
      }),
    ],
    [
      'Condition',
      'nanda',
      s({
        verificationStatus: coded('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'confirmed'),
        code: coded('http://www.nanda.org/', '00085', 'Verminderde mobiliteit'),
      }),
    ],
    [
      'Observation',
      'alcohol',
      s({ status: 'final', code: coded(SCT, '228273003'), effectiveDateTime: at(now, -100) }),
    ],
    [
      'Observation',
      'functioning',
      s({
        status: 'final',
        category: [coded(SCT, '118228005')],
        code: coded(SCT, '284888003'),
        effectiveDateTime: at(now, -100),
      }),
    ],
    ...device('pacemaker', '14106009'),
    ...device('catheter', '19923001'),
    ...device('wheelchair', '58938008'),
    medication('med-home', {
      extension: [
        {
          url: 'http://nictiz.nl/fhir/StructureDefinition/ext-TimeInterval.Period',
          valuePeriod: { start: at(now, -720), end: at(now, 1440) },
        },
      ],
    }),
    medication('med-clinical', { category: inpatient }),
    medication('med-planned', {
      extension: [
        {
          url: 'http://nictiz.nl/fhir/StructureDefinition/ext-TimeInterval.Period',
          valuePeriod: { start: at(now, 120) },
        },
      ],
    }),
    medication('med-stopped', {
      modifierExtension: [
        {
          url: 'http://nictiz.nl/fhir/StructureDefinition/ext-StopType',
          valueCodeableConcept: coded(SCT, '410546004'),
        },
      ],
    }),
    medication('med-on-hold', { status: 'on-hold' }),
    medication('med-completed', { status: 'completed' }),
    medication('med-error', { status: 'entered-in-error' }),
    [
      'MedicationStatement',
      'use-home',
      s({ status: 'active', medicationCodeableConcept: { text: 'Paracetamol' } }),
    ],
    // Reports
    [
      'Composition',
      'soap',
      s({
        status: 'final',
        type: coded(SCT, '11591000146107'),
        date: at(now, -30),
        author: [{ reference: 'Practitioner/internist' }],
        title: 'SOEP-verslag',
      }),
    ],
    [
      'Composition',
      'soap-draft',
      s({
        status: 'preliminary',
        type: coded(SCT, '11591000146107'),
        date: at(now, -3),
        author: [{ reference: 'Practitioner/internist' }],
        title: 'SOEP-verslag (concept)',
      }),
    ],
    document('letter', coded(LOINC, '11488-4', 'Consult note')),
    document('letter-draft', coded(LOINC, '11488-4'), 'preliminary'),
    document('nurse-note', coded(LOINC, '34746-8')),
    document('mdo', coded('https://zorgpoort.nl/fhir/CodeSystem/portal-document-type', 'mdo')),
    ['Flag', 'mrsa', s({ status: 'active', code: { text: 'MRSA-drager' } })],
    ['Flag', 'old-flag', s({ status: 'inactive', code: { text: 'Valrisico' } })],
    ['Procedure', 'ecg', s({ status: 'completed', code: { text: 'ECG' }, performedDateTime: at(now, -200) })],
    // Nursing (NANDA, NOC, NIC) and other
    [
      'Goal',
      'noc-goal',
      s({
        lifecycleStatus: 'active',
        description: coded('http://terminology.hl7.org/CodeSystem/noc', '0208', 'Mobiliteit'),
      }),
    ],
    ['Goal', 'plain-goal', s({ lifecycleStatus: 'active', description: { text: 'Weer fietsen' } })],
    [
      'Observation',
      'noc-score',
      s({
        status: 'final',
        code: coded('http://terminology.hl7.org/CodeSystem/noc', '0208'),
        effectiveDateTime: at(now, -20),
        valueInteger: 3,
      }),
    ],
    [
      'CarePlan',
      'nursing-plan',
      s({
        status: 'active',
        intent: 'plan',
        activity: [
          {
            detail: {
              status: 'in-progress',
              code: coded('http://terminology.hl7.org/CodeSystem/nic', '0221', 'Oefentherapie: lopen'),
            },
          },
        ],
      }),
    ],
    [
      'Procedure',
      'nic-walk',
      s({
        status: 'completed',
        code: coded('http://terminology.hl7.org/CodeSystem/nic', '0221'),
        performedDateTime: at(now, -10),
      }),
    ],
    [
      'NutritionOrder',
      'advice',
      {
        ...held('zgt'),
        patient: p,
        status: 'active',
        intent: 'proposal',
        dateTime: at(now, -50),
        oralDiet: { type: [{ text: 'Zoutbeperkt' }] },
      },
    ],
    [
      'NutritionOrder',
      'agreement',
      {
        ...held('zgt'),
        patient: p,
        status: 'active',
        intent: 'order',
        dateTime: at(now, -50),
        oralDiet: { type: [{ text: 'Vloeibaar' }] },
      },
    ],
    [
      'Consent',
      'no-icu',
      {
        ...held('zgt'),
        status: 'active',
        scope: coded('http://terminology.hl7.org/CodeSystem/consentscope', 'treatment'),
        category: [coded(SCT, '129125009')],
        patient: p,
        policyRule: coded('http://terminology.hl7.org/CodeSystem/v3-ActCode', 'OPTIN'),
        provision: { type: 'deny', code: [coded(SCT, '305351004', 'Opname op intensive care')] },
      },
    ],
    // Results: Hb over fourteen months, one preliminary, one of the GP's own order, one at MST
    lab('hb-13m', -(395 * 24), 9.1),
    lab('hb-11m', -(330 * 24), 9.0),
    lab('hb-low', -(180 * 24), 7.9),
    lab('hb-high', -(30 * 24), 12.0, {
      interpretation: [coded('http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', 'H')],
    }),
    lab('hb-recent', -48, 9.5, { basedOn: [{ reference: 'ServiceRequest/order-zgt' }] }),
    lab('hb-prelim', -24, 9.9, { status: 'preliminary' }),
    lab('hb-gp', -36, 9.2, { basedOn: [{ reference: 'ServiceRequest/order-gp' }] }),
    [
      'ServiceRequest',
      'order-zgt',
      s({
        status: 'completed',
        intent: 'order',
        code: { text: 'Hb' },
        requester: { reference: 'PractitionerRole/internist-role' },
      }),
    ],
    [
      'ServiceRequest',
      'order-gp',
      {
        ...held('praktijk'),
        subject: p,
        status: 'completed',
        intent: 'order',
        code: { text: 'Hb' },
        requester: { reference: 'Practitioner/gp' },
      },
    ],
    ['Observation', 'hb-mst', { ...lab('x', -100, 9.4)[2], ...held('mst') }],
    [
      'Observation',
      'weight',
      s({
        status: 'final',
        category: [coded('http://terminology.hl7.org/CodeSystem/observation-category', 'vital-signs')],
        code: coded(LOINC, '29463-7'),
        effectiveDateTime: at(now, -5),
        valueQuantity: { value: 80, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
      }),
    ],
    report('culture', 'MB'),
    report('biopsy', 'SP'),
    report('xray', 'RAD', {
      media: [{ link: { reference: 'Media/xray-image' } }],
      presentedForm: [{ contentType: 'application/pdf', data: pdf }],
    }),
    [
      'Media',
      'xray-image',
      s({ status: 'completed', content: { contentType: 'image/png', data: png, title: 'Thorax' } }),
    ],
  ];
}
