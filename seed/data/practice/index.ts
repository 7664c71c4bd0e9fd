import { CUSTODIAN_SYSTEM } from '../../../server/access/rules/treatment-relationship.ts';
import { PRACTICE_ROLE_SYSTEM, UZI_ROLE_SYSTEM } from '../../../server/domain/practice/vocabulary.ts';

// FHIR JSON as the server reads it: the seed builds plain objects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

const URA = 'http://fhir.nl/fhir/NamingSystem/ura';
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const BIG = 'http://fhir.nl/fhir/NamingSystem/big';
const UZI = 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers';
const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const GTIN = 'urn:oid:2.16.840.1.113883.2.4.4.7';
const ref = (reference: string, display?: string) => ({ reference, ...(display ? { display } : {}) });
/** Held by the practice (the gate's custodian tag): its patients' rows and its agenda. */
const heldBy = (practiceId: string) => ({ meta: { tag: [{ system: CUSTODIAN_SYSTEM, code: practiceId }] } });

/**
 * The GP practice's patient portal demo (seed 004): two practices (the second to show that one
 * practice's staff see nothing of the other's), their GPs, physician assistant and assistants,
 * three patients with medication, results and the GP's advice, and the practice's webagenda.
 * Numbers are made up (test ranges: URA 9004…, BSN 99999…, BIG 1904…).
 */
export const PRACTICES = [
  { id: 'gp-het-anker', name: 'Huisartsenpraktijk Het Anker (demo)', ura: '90049901', city: 'Utrecht', line: 'Ankerplein 1', postalCode: '3511AA', email: 'praktijk@het-anker.demo.zorgpoort.invalid', phone: '030-0000001' },
  { id: 'gp-de-brug', name: 'Huisartsenpraktijk De Brug (demo)', ura: '90049902', city: 'Amersfoort', line: 'Brugstraat 2', postalCode: '3811AB', email: 'praktijk@de-brug.demo.zorgpoort.invalid', phone: '033-0000002' },
] as const;

type Role = 'gp' | 'physicianAssistant' | 'assistant';
const ROLE_CODE: Record<Role, { system: string; code: string; display: string }> = {
  gp: { system: UZI_ROLE_SYSTEM, code: '01.015', display: 'Huisarts' },
  physicianAssistant: { system: UZI_ROLE_SYSTEM, code: '81.000', display: 'Physician assistant' },
  assistant: { system: PRACTICE_ROLE_SYSTEM, code: 'assistant', display: 'Doktersassistent' },
};

export const STAFF: { id: string; given: string; family: string; gender: 'male' | 'female'; big?: string; uzi: string; practice: string; role: Role; does: string }[] = [
  { id: 'gp-anker-huisarts-bakker', given: 'Anna', family: 'Bakker', gender: 'female', big: '19040001001', uzi: '904000101', practice: 'gp-het-anker', role: 'gp', does: 'GP: answers eConsults, approves repeat prescriptions, has a webagenda' },
  { id: 'gp-anker-pa-el-amrani', given: 'Noor', family: 'El Amrani', gender: 'female', big: '19040002001', uzi: '904000201', practice: 'gp-het-anker', role: 'physicianAssistant', does: 'physician assistant: has a webagenda, answers eConsults' },
  { id: 'gp-anker-assistent-jansen', given: 'Lisa', family: 'Jansen', gender: 'female', uzi: '904000301', practice: 'gp-het-anker', role: 'assistant', does: 'assistant: links portal accounts, handles correction requests' },
  { id: 'gp-brug-assistent-visser', given: 'Daan', family: 'Visser', gender: 'male', uzi: '904000401', practice: 'gp-de-brug', role: 'assistant', does: "assistant of the other practice: sees nothing of Het Anker's" },
];

export const PATIENTS = [
  { id: 'gp-patient-marieke-de-jong', given: 'Marieke', family: 'de Jong', gender: 'female', birthDate: '1971-05-12', bsn: '999994001', email: 'marieke.dejong@demo.zorgpoort.invalid', practice: 'gp-het-anker', how: 'registers with DigiD (BSN 999994001): linked at once' },
  { id: 'gp-patient-henk-mulder', given: 'Henk', family: 'Mulder', gender: 'male', birthDate: '1949-11-03', bsn: '999994013', email: 'henk.mulder@demo.zorgpoort.invalid', practice: 'gp-het-anker', how: 'registers by e-mail; the assistant links the account' },
  { id: 'gp-patient-fatma-yilmaz', given: 'Fatma', family: 'Yılmaz', gender: 'female', birthDate: '1988-02-27', bsn: '999994025', email: 'fatma.yilmaz@demo.zorgpoort.invalid', practice: 'gp-de-brug', how: "a patient of the other practice" },
] as const;

const practice = (id: string) => ref(`Organization/${id}`, PRACTICES.find((p) => p.id === id)!.name);
const roleId = (s: (typeof STAFF)[number]) => `${s.id}-${s.role === 'physicianAssistant' ? 'pa' : s.role}`;
const nameOf = (p: { given: string; family: string }) => `${p.given} ${p.family}`;

const PRACTICE_ROLE_CODES: Json = {
  resourceType: 'CodeSystem',
  id: 'practice-role',
  url: PRACTICE_ROLE_SYSTEM,
  name: 'PracticeRole',
  title: 'Roles in a GP practice without a UZI role code',
  status: 'active',
  content: 'complete',
  concept: [{ code: 'assistant', display: 'Doktersassistent', definition: "The practice's assistant (triage, links portal accounts)." }],
};

function directory(): Json[] {
  return [
    PRACTICE_ROLE_CODES,
    ...PRACTICES.map((p) => ({
      resourceType: 'Organization',
      id: p.id,
      active: true,
      identifier: [{ system: URA, value: p.ura }],
      type: [{ coding: [{ system: 'http://nictiz.nl/fhir/NamingSystem/organization-type', code: 'Z3', display: 'Huisartspraktijk (zelfstandig of groepspraktijk)' }] }],
      name: p.name,
      telecom: [
        { system: 'email', value: p.email, use: 'work' },
        { system: 'phone', value: p.phone, use: 'work' },
      ],
      address: [{ use: 'work', line: [p.line], postalCode: p.postalCode, city: p.city, country: 'NL' }],
    })),
    ...STAFF.flatMap((s) => [
      {
        resourceType: 'Practitioner',
        id: s.id,
        active: true,
        identifier: [...(s.big ? [{ system: BIG, value: s.big }] : []), { system: UZI, value: s.uzi }],
        name: [{ use: 'official', text: nameOf(s), family: s.family, given: [s.given] }],
        gender: s.gender,
        telecom: [{ system: 'email', value: `${s.id}@demo.zorgpoort.invalid`, use: 'work' }],
      },
      {
        resourceType: 'PractitionerRole',
        id: roleId(s),
        active: true,
        practitioner: ref(`Practitioner/${s.id}`, nameOf(s)),
        organization: practice(s.practice),
        code: [{ coding: [ROLE_CODE[s.role]] }],
      },
    ]),
  ];
}

function patients(): Json[] {
  return PATIENTS.map((p) => ({
    resourceType: 'Patient',
    id: p.id,
    identifier: [{ system: BSN, value: p.bsn }],
    name: [{ use: 'official', text: nameOf(p), family: p.family, given: [p.given] }],
    gender: p.gender,
    birthDate: p.birthDate,
    telecom: [{ system: 'email', value: p.email, use: 'home' }],
    generalPractitioner: [practice(p.practice)],
    managingOrganization: practice(p.practice),
  }));
}

const day = (from: Date, days: number) => new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);

/** Medication, dispenses (one running out within a week, for the reminder), results and advice. */
function record(today: Date): Json[] {
  const gp = ref('PractitionerRole/gp-anker-huisarts-bakker-gp', 'Anna Bakker');
  const meds = [
    { id: 'gp-mr-marieke-metformine', patient: 'gp-patient-marieke-de-jong', text: 'Metformine 500 mg tablet', gtin: '8711218918005', dose: '2 maal per dag 1 tablet', days: 90, dispensedDaysAgo: 85 },
    { id: 'gp-mr-marieke-lisinopril', patient: 'gp-patient-marieke-de-jong', text: 'Lisinopril 10 mg tablet', gtin: '8711218920008', dose: '1 maal per dag 1 tablet', days: 90, dispensedDaysAgo: 10 },
    { id: 'gp-mr-henk-simvastatine', patient: 'gp-patient-henk-mulder', text: 'Simvastatine 40 mg tablet', gtin: '8711218921005', dose: "1 maal per dag 1 tablet, 's avonds", days: 90, dispensedDaysAgo: 30 },
    { id: 'gp-mr-fatma-salbutamol', patient: 'gp-patient-fatma-yilmaz', text: 'Salbutamol 100 microg/dosis inhalator', gtin: '8711218922002', dose: 'zo nodig 1-2 inhalaties', days: 60, dispensedDaysAgo: 20 },
  ];
  const practiceOf = (patient: string) => PATIENTS.find((p) => p.id === patient)!.practice;
  return [
    ...meds.flatMap((m) => [
      {
        resourceType: 'MedicationRequest',
        id: m.id,
        ...heldBy(practiceOf(m.patient)),
        status: 'active',
        intent: 'order',
        medicationCodeableConcept: { coding: [{ system: GTIN, code: m.gtin, display: m.text }], text: m.text },
        subject: ref(`Patient/${m.patient}`),
        authoredOn: day(today, -m.dispensedDaysAgo - 1),
        requester: practiceOf(m.patient) === 'gp-het-anker' ? gp : practice(practiceOf(m.patient)),
        dosageInstruction: [{ text: m.dose }],
        dispenseRequest: {
          validityPeriod: { start: day(today, -m.dispensedDaysAgo - 1), end: day(today, 365) },
          expectedSupplyDuration: { value: m.days, unit: 'dag', system: 'http://unitsofmeasure.org', code: 'd' },
          numberOfRepeatsAllowed: 3,
        },
      },
      {
        resourceType: 'MedicationDispense',
        id: `${m.id}-dispense`,
        ...heldBy(practiceOf(m.patient)),
        status: 'completed',
        medicationCodeableConcept: { coding: [{ system: GTIN, code: m.gtin, display: m.text }], text: m.text },
        subject: ref(`Patient/${m.patient}`),
        authorizingPrescription: [ref(`MedicationRequest/${m.id}`)],
        daysSupply: { value: m.days, unit: 'dag', system: 'http://unitsofmeasure.org', code: 'd' },
        whenHandedOver: `${day(today, -m.dispensedDaysAgo)}T10:00:00+01:00`,
      },
    ]),
    {
      resourceType: 'Observation',
      id: 'gp-obs-marieke-hba1c',
      ...heldBy('gp-het-anker'),
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: { coding: [{ system: LOINC, code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' }], text: 'HbA1c' },
      subject: ref('Patient/gp-patient-marieke-de-jong'),
      effectiveDateTime: `${day(today, -14)}T08:30:00+01:00`,
      performer: [practice('gp-het-anker')],
      valueQuantity: { value: 58, unit: 'mmol/mol', system: 'http://unitsofmeasure.org', code: 'mmol/mol' },
      referenceRange: [{ high: { value: 53, unit: 'mmol/mol', system: 'http://unitsofmeasure.org', code: 'mmol/mol' } }],
      interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H' }] }],
    },
    {
      resourceType: 'Observation',
      id: 'gp-obs-henk-bloeddruk',
      ...heldBy('gp-het-anker'),
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel' }], text: 'Bloeddruk' },
      subject: ref('Patient/gp-patient-henk-mulder'),
      effectiveDateTime: `${day(today, -7)}T09:15:00+01:00`,
      performer: [practice('gp-het-anker')],
      component: [
        { code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }] }, valueQuantity: { value: 142, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
        { code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }] }, valueQuantity: { value: 88, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      ],
    },
    {
      // The GP's advice after a consult (the "P" of a SOEP journal entry), as a Composition.
      resourceType: 'Composition',
      id: 'gp-advies-marieke',
      ...heldBy('gp-het-anker'),
      status: 'final',
      type: { coding: [{ system: LOINC, code: '11488-4', display: 'Consult note' }], text: 'Consult huisarts' },
      subject: ref('Patient/gp-patient-marieke-de-jong'),
      date: `${day(today, -14)}T09:00:00+01:00`,
      author: [gp],
      title: 'Advies van de huisarts',
      custodian: practice('gp-het-anker'),
      section: [
        {
          title: 'Advies',
          code: { coding: [{ system: SNOMED, code: '281090004', display: 'Recommendation' }] },
          text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Blijf de metformine innemen. Elke dag een half uur wandelen. Over drie maanden HbA1c opnieuw laten prikken.</div>' },
        },
      ],
    },
  ];
}

/**
 * The webagenda: a Schedule per GP and physician assistant of Het Anker, with 15-minute Slots on
 * the next ten working days, 08:00–12:00 Amsterdam time (ids carry the date: a run on a later day
 * adds that day's slots and leaves the earlier ones).
 */
function agenda(today: Date): Json[] {
  const out: Json[] = [];
  for (const s of STAFF.filter((x) => x.practice === 'gp-het-anker' && x.role !== 'assistant')) {
    const schedule = `gp-agenda-${s.id}`;
    out.push({
      resourceType: 'Schedule',
      id: schedule,
      ...heldBy(s.practice),
      active: true,
      serviceType: [{ text: s.role === 'gp' ? 'Spreekuur huisarts' : 'Spreekuur physician assistant' }],
      actor: [ref(`PractitionerRole/${roleId(s)}`, nameOf(s)), practice(s.practice)],
      comment: `Webagenda ${nameOf(s)}`,
    });
    let workdays = 0;
    for (let d = 1; workdays < 10; d++) {
      const date = new Date(today.getTime() + d * 86_400_000);
      const weekday = date.getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      workdays++;
      const ymd = date.toISOString().slice(0, 10);
      for (let q = 0; q < 16; q++) {
        const h = 8 + Math.floor(q / 4);
        const m = (q % 4) * 15;
        const at = (hh: number, mm: number) => `${ymd}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00+01:00`;
        const end = m + 15 === 60 ? at(h + 1, 0) : at(h, m + 15);
        out.push({
          resourceType: 'Slot',
          ...heldBy(s.practice),
          id: `${schedule}-${ymd.replaceAll('-', '')}-${String(h).padStart(2, '0')}${String(m).padStart(2, '0')}`,
          schedule: ref(`Schedule/${schedule}`),
          status: 'free',
          start: at(h, m),
          end,
        });
      }
    }
  }
  return out;
}

/** The parts in the order they are loaded; `today` places medication, results and slots. */
export function practiceSeed(today: Date): { name: string; resources: Json[] }[] {
  return [
    { name: 'practices and staff', resources: directory() },
    { name: 'patients', resources: patients() },
    { name: 'records', resources: record(today) },
    { name: 'webagenda', resources: agenda(today) },
  ];
}
