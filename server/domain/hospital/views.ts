import type { Said } from '../language.ts';
import {
  MEDICATION_CATEGORY_SYSTEM,
  medicationCategory,
  MEDICATION_CATEGORIES,
} from './medication-category.ts';
import { orderedByHospital } from './ordered-by-hospital.ts';
import { RESULT_FLAG_SYSTEM, resultFlag } from './result-flag.ts';
import type { Json } from './json.ts';

const SCT = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
const NANDA = 'http://www.nanda.org/';
const NOC = 'http://terminology.hl7.org/CodeSystem/noc';
const NIC = 'http://terminology.hl7.org/CodeSystem/nic';
const DOCUMENT_TYPE = 'https://zorgpoort.nl/fhir/CodeSystem/portal-document-type';
const CLASS_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/portal-classification';
/** SNOMED CT 387713003 Surgical procedure: an operation, on the waiting list or done. */
const SURGICAL = `${SCT}|387713003`;
/** LOINC 34746-8 Nurse note. */
const NURSE_NOTE = '34746-8';
/** SNOMED CT 11591000146107: the SOEP report of a consultation (zib SOAPReport). */
const SOAP_REPORT = `${SCT}|11591000146107`;
/** zib Alcohol-, Tobacco-, DrugUse (SNOMED CT findings). */
const SUBSTANCE_USE = [`${SCT}|228273003`, `${SCT}|365980008`, `${SCT}|228366006`];
/** zib FunctionalOrMentalStatus: functional finding, mental state finding. */
const FUNCTIONAL_OR_MENTAL = [`${SCT}|118228005`, `${SCT}|384821006`];
/** zib Problem's type Diagnosis, and FHIR's encounter diagnosis. */
const DIAGNOSIS = `${SCT}|282291009`;
const ENCOUNTER_DIAGNOSIS = 'http://terminology.hl7.org/CodeSystem/condition-category|encounter-diagnosis';
/** Device types (SNOMED CT) that make a device use an implant or an inserted material; any other is a medical aid. */
const IMPLANTS = new Set(['40388003', '14106009']);
const INSERTED = new Set(['19923001']);
/** LOINC glucose tests measured at the bedside too ("metingen: lengte, gewicht, glucose"). */
const GLUCOSE = ['2339-0', '2345-7', '14743-9', '15074-8'].map((c) => `${LOINC}|${c}`);
/** Kinds of DiagnosticReport by HL7 v2 table 0074 (diagnostic service section), and LOINC's radiology class. */
const MICROBIOLOGY = ['MB', 'MCB', 'MYC'].map((c) => `${V2_0074}|${c}`);
const PATHOLOGY = ['SP', 'CP', 'PAT'].map((c) => `${V2_0074}|${c}`);
const RADIOLOGY = [
  ...['RAD', 'NMR', 'NMS', 'CT', 'RUS', 'VUS', 'OUS', 'RX', 'XRC'].map((c) => `${V2_0074}|${c}`),
  `${LOINC}|LP29684-5`,
];
/** The Observation categories that are results (the rest are findings of the record). */
const RESULT_CATEGORIES = ['laboratory', 'vital-signs', 'imaging', 'procedure'];
/** ELZ referral letters (Nictiz: "Verwijsbrief") and SNOMED CT 3457005 Patient referral. */
const REFERRAL = [`${SCT}|3457005`, 'urn:oid:2.16.840.1.113883.2.4.4.30.69|'];

const DAY = 86_400_000;
const daysAgo = (now: Date, days: number) => new Date(now.getTime() - days * DAY).toISOString();
/** Twelve calendar months back from now. */
export function monthsAgo(now: Date, months: number): string {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.toISOString();
}

const codings = (concept: unknown): Json[] => (concept as { coding?: Json[] } | undefined)?.coding ?? [];
const conceptsOf = (value: unknown): Json[] => (Array.isArray(value) ? value : value ? [value] : []);
const hasCode = (concepts: unknown, system: string, codes?: Set<string>) =>
  conceptsOf(concepts).some((c) =>
    codings(c).some((x) => x.system === system && (!codes || codes.has(x.code))),
  );
const startOf = (r: Json): string | undefined =>
  r.period?.start ??
  r.effectiveDateTime ??
  r.effectivePeriod?.start ??
  r.performedDateTime ??
  r.performedPeriod?.start;

/** One search a view runs: a type, its criteria (the patient's, approval and hospital are added). */
export interface ViewQuery {
  type: string;
  params: (now: Date) => [string, string][];
}

export interface ViewContext {
  now: Date;
  /** Included rows (orders, requesters, devices) as the caller sees them, by `Type/id`. */
  included: Map<string, Json>;
}

export interface View {
  code: string;
  /** Where the seed puts it: menu › page. */
  screen: Said;
  queries: ViewQuery[];
  /** `patient`: one patient's record (`Patient/[id]/$portal-view`); `list`: across the caller's patients. */
  scope: 'patient' | 'list';
  /** Narrows in memory what SQL cannot say (each query's criteria are a superset). */
  keep?: (r: Json, c: ViewContext) => boolean;
  /** A code per entry that the screen groups or colours by (in `entry.search.extension`). */
  classify?: (r: Json, c: ViewContext) => { system: string; code: string; display?: string } | undefined;
  /** At most this many rows per query, newest first; more is reported as cut off. */
  limit?: number;
}

const q = (type: string, params: (now: Date) => [string, string][] = () => []): ViewQuery => ({
  type,
  params,
});
const sorted = (params: [string, string][]): [string, string][] => [...params, ['_sort', '-date']];
const cls = (code: string, display?: string) => ({
  system: CLASS_SYSTEM,
  code,
  ...(display ? { display } : {}),
});

function deviceClass(use: Json, c: ViewContext): 'implant' | 'inserted-material' | 'medical-aid' {
  const device = c.included.get(use.device?.reference as string);
  if (hasCode(device?.type, SCT, IMPLANTS)) return 'implant';
  if (hasCode(device?.type, SCT, INSERTED)) return 'inserted-material';
  return 'medical-aid';
}

function labFlag(r: Json) {
  const flag = resultFlag(r);
  return flag ? { system: RESULT_FLAG_SYSTEM, code: flag } : undefined;
}

const isNursingDocument = (r: Json) => hasCode(r.type, LOINC, new Set([NURSE_NOTE]));
const isMdo = (r: Json) => hasCode(r.type, DOCUMENT_TYPE, new Set(['mdo']));
const NUTRITION_ADVICE = new Set(['proposal', 'plan']);

/**
 * The portal's screens as FHIR searches (seed 002 §2.1–2.5). The README's table is this list.
 * Each is read as the caller, through the gate, with only what the hospital approved
 * (approved.ts); a `hospital` limits each to the rows that hospital holds.
 */
export const VIEWS: View[] = [
  // Patiënt zoeken › Klinische patiënten / SEH-overzicht
  {
    code: 'inpatients',
    screen: { nl: 'Patiënt zoeken › Klinische patiënten', en: 'Patient search › Inpatients' },
    scope: 'list',
    queries: [
      q('Encounter', () => [
        ['class', 'IMP'],
        ['status', 'in-progress'],
        ['_include', 'Encounter:patient'],
      ]),
    ],
  },
  {
    code: 'er-visits',
    screen: { nl: 'Patiënt zoeken › SEH-overzicht (7 dagen)', en: 'Patient search › ER visits (7 days)' },
    scope: 'list',
    queries: [
      q('Encounter', (now) => [
        ['class', 'EMER'],
        ['date', `ge${daysAgo(now, 7)}`],
        ['_include', 'Encounter:patient'],
      ]),
    ],
    // Registered in the last seven days: the visit's start, not any overlap with them.
    keep: (r, c) =>
      (startOf(r) ?? '') >= daysAgo(c.now, 7) && Date.parse(startOf(r) ?? '') <= c.now.getTime(),
  },
  // Zorgmomenten
  {
    code: 'appointments',
    screen: { nl: 'Zorgmomenten › Afspraken', en: 'Care moments › Appointments' },
    scope: 'patient',
    queries: [q('Appointment', () => sorted([]))],
    keep: (r) => r.status !== 'proposed' && r.status !== 'pending',
    classify: (r, c) => cls(Date.parse(r.start ?? '') > c.now.getTime() ? 'future' : 'past'),
  },
  {
    code: 'operations',
    screen: { nl: 'Zorgmomenten › Operatieoverzicht', en: 'Care moments › Operations' },
    scope: 'patient',
    queries: [
      q('Procedure', () => sorted([['category', SURGICAL]])),
      // On the waiting list, shown once the patient has been called: an appointment for it exists.
      q('ServiceRequest', () => [
        ['category', SURGICAL],
        ['status', 'active,on-hold'],
        ['_has:Appointment:based-on:status', 'proposed,pending,booked,arrived,fulfilled'],
      ]),
    ],
    classify: (r) =>
      r.resourceType === 'ServiceRequest'
        ? cls('waiting-list', 'Wachtlijst')
        : r.status === 'preparation' || r.status === 'on-hold'
          ? cls('planned', 'Gepland')
          : cls('done', 'Uitgevoerd'),
  },
  {
    code: 'admissions',
    screen: { nl: 'Zorgmomenten › Opnameoverzicht', en: 'Care moments › Admissions' },
    scope: 'patient',
    queries: [q('Encounter', () => sorted([['class', 'IMP']]))],
    keep: (r) => r.status !== 'cancelled',
  },
  {
    code: 'er-registrations',
    screen: { nl: 'Zorgmomenten › SEH-registraties', en: 'Care moments › ER registrations' },
    scope: 'patient',
    queries: [q('Encounter', () => sorted([['class', 'EMER']]))],
    keep: (r) => r.status !== 'cancelled',
  },
  {
    code: 'referrals',
    screen: { nl: 'Zorgmomenten › Verwijzingen', en: 'Care moments › Referrals' },
    scope: 'patient',
    queries: [
      q('ServiceRequest', () => [
        ['category', REFERRAL.join(',')],
        ['status', 'active,on-hold'],
      ]),
    ],
  },
  // Dossier › Medische gegevens
  {
    code: 'allergies',
    screen: { nl: 'Dossier › Medische gegevens › Allergieën', en: 'Record › Medical › Allergies' },
    scope: 'patient',
    queries: [q('AllergyIntolerance')],
  },
  {
    code: 'conditions',
    screen: { nl: 'Dossier › Medische gegevens › Aandoeningen', en: 'Record › Medical › Conditions' },
    scope: 'patient',
    queries: [q('Condition')],
    keep: (r) =>
      !hasCode(r.category, SCT, new Set(['282291009'])) &&
      !conceptsOf(r.category).some((c) =>
        codings(c).some((x) => `${x.system}|${x.code}` === ENCOUNTER_DIAGNOSIS),
      ) &&
      !hasCode(r.code, NANDA),
  },
  {
    code: 'substance-use',
    screen: {
      nl: 'Dossier › Medische gegevens › Alcohol, tabak en drugs',
      en: 'Record › Medical › Alcohol, tobacco and drugs',
    },
    scope: 'patient',
    queries: [q('Observation', () => sorted([['code', SUBSTANCE_USE.join(',')]]))],
  },
  {
    code: 'diagnoses',
    screen: { nl: 'Dossier › Medische gegevens › Diagnoses', en: 'Record › Medical › Diagnoses' },
    scope: 'patient',
    queries: [q('Condition', () => [['category', `${DIAGNOSIS},${ENCOUNTER_DIAGNOSIS}`]])],
    classify: (r) => {
      const status = codings(r.clinicalStatus)[0]?.code as string | undefined;
      return status ? cls(status) : undefined;
    },
  },
  ...(['implant', 'inserted-material', 'medical-aid'] as const).map((kind): View => ({
    code:
      kind === 'implant' ? 'implants' : kind === 'inserted-material' ? 'inserted-materials' : 'medical-aids',
    screen: {
      implant: { nl: 'Dossier › Medische gegevens › Implantaten', en: 'Record › Medical › Implants' },
      'inserted-material': {
        nl: 'Dossier › Medische gegevens › Ingebrachte materialen',
        en: 'Record › Medical › Inserted materials',
      },
      'medical-aid': {
        nl: 'Dossier › Medische gegevens › Medische hulpmiddelen',
        en: 'Record › Medical › Medical aids',
      },
    }[kind],
    scope: 'patient',
    queries: [q('DeviceUseStatement', () => [['_include', 'DeviceUseStatement:device']])],
    keep: (r, c) => deviceClass(r, c) === kind,
  })),
  {
    code: 'physical-mental-state',
    screen: {
      nl: 'Dossier › Medische gegevens › Lichamelijke en geestelijke toestand',
      en: 'Record › Medical › Physical and mental state',
    },
    scope: 'patient',
    queries: [q('Observation', () => sorted([['category', FUNCTIONAL_OR_MENTAL.join(',')]]))],
  },
  {
    code: 'medication',
    screen: { nl: 'Dossier › Medische gegevens › Medicatie', en: 'Record › Medical › Medication' },
    scope: 'patient',
    queries: [q('MedicationRequest'), q('MedicationStatement')],
    keep: (r, c) => medicationCategory(r, c.now) !== undefined,
    classify: (r, c) => {
      const code = medicationCategory(r, c.now)!;
      return { system: MEDICATION_CATEGORY_SYSTEM, code, display: MEDICATION_CATEGORIES[code].nl };
    },
  },
  // Dossier › Rapporten
  {
    code: 'treatment-reports',
    screen: { nl: 'Dossier › Rapporten › Behandelverslagen', en: 'Record › Reports › Treatment reports' },
    scope: 'patient',
    queries: [q('Composition', () => sorted([['type', SOAP_REPORT]]))],
  },
  {
    code: 'letters',
    screen: { nl: 'Dossier › Rapporten › Brieven', en: 'Record › Reports › Letters' },
    scope: 'patient',
    queries: [q('DocumentReference', () => sorted([]))],
    keep: (r) => !isNursingDocument(r) && !isMdo(r),
  },
  {
    code: 'alerts',
    screen: { nl: 'Dossier › Rapporten › Signaleringen', en: 'Record › Reports › Alerts' },
    scope: 'patient',
    queries: [q('Flag')],
    keep: (r) => r.status === 'active',
  },
  {
    code: 'procedures',
    screen: { nl: 'Dossier › Rapporten › Verrichtingen', en: 'Record › Reports › Procedures' },
    scope: 'patient',
    queries: [q('Procedure', () => sorted([]))],
    // Operations are on their own screen; NIC interventions are the nursing care plan.
    keep: (r) => !hasCode(r.code, NIC) && !hasCode(r.category, SCT, new Set(['387713003'])),
  },
  // Dossier › Verpleegkundig dossier (NANDA, NOC, NIC)
  {
    code: 'nursing-problems',
    screen: {
      nl: 'Dossier › Verpleegkundig dossier › Problemen, doelen en scores',
      en: 'Record › Nursing › Problems, goals and scores',
    },
    scope: 'patient',
    queries: [
      q('Condition', () => [['code', `${NANDA}|`]]),
      q('Goal'),
      q('Observation', () => sorted([['code', `${NOC}|`]])),
    ],
    keep: (r) =>
      r.resourceType !== 'Goal' ||
      hasCode(r.description, NOC) ||
      (r.target ?? []).some((t: Json) => hasCode(t.measure, NOC)),
    classify: (r) =>
      cls(
        r.resourceType === 'Condition'
          ? 'nanda-diagnosis'
          : r.resourceType === 'Goal'
            ? 'noc-outcome'
            : 'noc-score',
      ),
  },
  {
    code: 'nursing-care-plan',
    screen: {
      nl: 'Dossier › Verpleegkundig dossier › Verpleegkundig behandelplan',
      en: 'Record › Nursing › Nursing care plan',
    },
    scope: 'patient',
    queries: [
      q('CarePlan', () => [['activity-code', `${NIC}|`]]),
      q('Procedure', () => sorted([['code', `${NIC}|`]])),
    ],
    keep: (r) => r.resourceType !== 'CarePlan' || ['active', 'completed', 'on-hold'].includes(r.status),
  },
  {
    code: 'nursing-reports',
    screen: {
      nl: 'Dossier › Verpleegkundig dossier › Verpleegkundige verslagen',
      en: 'Record › Nursing › Nursing reports',
    },
    scope: 'patient',
    queries: [
      q('DocumentReference', () => sorted([['type', `${LOINC}|${NURSE_NOTE}`]])),
      q('Composition', () => sorted([['type', `${LOINC}|${NURSE_NOTE}`]])),
    ],
  },
  // Dossier › Overige
  {
    code: 'nutrition-advice',
    screen: {
      nl: 'Dossier › Overige › Advies voor eten en drinken',
      en: 'Record › Other › Food and drink advice',
    },
    scope: 'patient',
    queries: [q('NutritionOrder', () => [['status', 'active,completed,on-hold']])],
    keep: (r) => NUTRITION_ADVICE.has(r.intent),
  },
  {
    code: 'nutrition-agreements',
    screen: {
      nl: 'Dossier › Overige › Afspraken over eten en drinken',
      en: 'Record › Other › Food and drink agreements',
    },
    scope: 'patient',
    queries: [q('NutritionOrder', () => [['status', 'active,completed,on-hold']])],
    keep: (r) => !NUTRITION_ADVICE.has(r.intent),
  },
  {
    code: 'treatment-limitations',
    screen: { nl: 'Dossier › Overige › Behandelbeperking', en: 'Record › Other › Treatment limitations' },
    scope: 'patient',
    queries: [
      q('Consent', () => [
        ['category', `${SCT}|129125009`],
        ['status', 'active'],
      ]),
    ],
  },
  {
    code: 'mdo',
    screen: { nl: 'Dossier › Overige › MDO', en: 'Record › Other › Multidisciplinary meetings' },
    scope: 'patient',
    queries: [q('DocumentReference', () => sorted([['type', `${DOCUMENT_TYPE}|mdo`]]))],
  },
  // Uitslagen
  {
    code: 'recent-results',
    screen: { nl: 'Uitslagen › Recente uitslagen', en: 'Results › Recent results' },
    scope: 'patient',
    queries: [
      // Results, not every finding: a lifestyle or nursing observation with an open period overlaps any window.
      q('Observation', (now) =>
        sorted([
          ['date', `ge${daysAgo(now, 90)}`],
          ['category', RESULT_CATEGORIES.join(',')],
          ...LAB_INCLUDES.slice(1),
        ]),
      ),
      q('DiagnosticReport', (now) =>
        sorted([
          ['date', `ge${daysAgo(now, 90)}`],
          ['_include', 'DiagnosticReport:based-on'],
        ]),
      ),
    ],
    limit: 50,
    keep: (r, c) =>
      (startOf(r) ?? '') >= daysAgo(c.now, 90) &&
      (r.resourceType !== 'Observation' || !isLab(r) || orderedByHospital(r, c.included)),
    classify: (r) => (r.resourceType === 'Observation' ? labFlag(r) : undefined),
  },
  {
    code: 'laboratory',
    screen: { nl: 'Uitslagen › Labuitslagen', en: 'Results › Laboratory' },
    scope: 'patient',
    queries: [q('Observation', () => sorted(LAB_INCLUDES))],
    keep: (r, c) => orderedByHospital(r, c.included),
    classify: labFlag,
  },
  {
    code: 'measurements',
    screen: { nl: 'Uitslagen › Metingen', en: 'Results › Measurements' },
    scope: 'patient',
    queries: [
      q('Observation', () => sorted([['category', 'vital-signs']])),
      q('Observation', () =>
        sorted([
          ['code', GLUCOSE.join(',')],
          ['category:not', 'vital-signs'],
          // A laboratory's glucose is a lab result (and may be the GP's own order): not a measurement.
          ['category:not', 'laboratory'],
        ]),
      ),
    ],
    classify: labFlag,
  },
  {
    code: 'microbiology',
    screen: { nl: 'Uitslagen › Microbiologie', en: 'Results › Microbiology' },
    scope: 'patient',
    queries: [
      q('DiagnosticReport', () =>
        sorted([
          ['category', MICROBIOLOGY.join(',')],
          ['_include', 'DiagnosticReport:result'],
        ]),
      ),
    ],
  },
  {
    code: 'pathology',
    screen: { nl: 'Uitslagen › Pathologie', en: 'Results › Pathology' },
    scope: 'patient',
    queries: [
      q('DiagnosticReport', () =>
        sorted([
          ['category', PATHOLOGY.join(',')],
          ['_include', 'DiagnosticReport:result'],
        ]),
      ),
    ],
  },
  {
    // Every examination the hospitals did, whoever referred (seed 002 §2.5): no order filter.
    code: 'radiology',
    screen: {
      nl: 'Uitslagen › Radiologie en nucleaire onderzoeken',
      en: 'Results › Radiology and nuclear medicine',
    },
    scope: 'patient',
    queries: [
      q('DiagnosticReport', () =>
        sorted([
          ['category', RADIOLOGY.join(',')],
          ['_include', 'DiagnosticReport:media'],
        ]),
      ),
    ],
  },
];

/** The orders of lab results and who placed them, for orderedByHospital(). */
export const LAB_INCLUDES: [string, string][] = [
  ['category', 'laboratory'],
  ['_include', 'Observation:based-on'],
  ['_include:iterate', 'ServiceRequest:requester'],
];

function isLab(r: Json): boolean {
  return conceptsOf(r.category).some((c) => codings(c).some((x) => x.code === 'laboratory'));
}

export const VIEW_BY_CODE = new Map(VIEWS.map((v) => [v.code, v]));
