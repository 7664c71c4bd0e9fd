import { png } from './attachments.ts';
import { org, person, role } from './directory.ts';
import { patientRef } from './patients.ts';
import {
  concept,
  held,
  INTERPRETATION,
  loinc,
  OBS_CATEGORY,
  sct,
  UCUM,
  V2_0074,
  type Clock,
  type Hospital,
  type Json,
} from './context.ts';

/**
 * Uitslagen (seed 002 §2.5): a lab series over more than twelve months with reference ranges
 * (values below and above them, some flagged by the lab, some left for the portal to flag),
 * results of an order the GP placed (not shown: "enkel uitslagen aangevraagd door het
 * ziekenhuis"), a preliminary result (not shown), measurements, microbiology, pathology, and
 * radiology with an image.
 */
interface Test {
  code: string;
  display: string;
  unit: string;
  ucum: string;
  low?: number;
  high?: number;
}
const HB: Test = { code: '718-7', display: 'Hemoglobine', unit: 'g/dL', ucum: 'g/dL', low: 12, high: 16 };
const CREATININE: Test = { code: '14682-9', display: 'Creatinine', unit: 'µmol/L', ucum: 'umol/L', low: 45, high: 90 };
const GLUCOSE: Test = { code: '15074-8', display: 'Glucose (bloed)', unit: 'mmol/L', ucum: 'mmol/L', low: 4, high: 7.8 };
const NT_PROBNP: Test = { code: '33762-6', display: 'NT-proBNP', unit: 'pg/mL', ucum: 'pg/mL', high: 125 };
const POTASSIUM: Test = { code: '2823-3', display: 'Kalium', unit: 'mmol/L', ucum: 'mmol/L', low: 3.5, high: 5.0 };
const TSH: Test = { code: '3016-3', display: 'TSH', unit: 'mU/L', ucum: 'm[IU]/L', low: 0.4, high: 4.0 };
const CRP: Test = { code: '1988-5', display: 'CRP', unit: 'mg/L', ucum: 'mg/L', high: 10 };

const LAB_CATEGORY = [concept(OBS_CATEGORY, 'laboratory', 'Laboratory')];
const quantity = (value: number, t: Test) => ({ value, unit: t.unit, system: UCUM, code: t.ucum });

interface LabSpec {
  id: string;
  patient: string;
  holder: Hospital;
  test: Test;
  value: number;
  when: string;
  /** The lab's own flag; without it the portal compares the value with the range. */
  flag?: 'H' | 'L';
  order?: string;
  status?: 'final' | 'preliminary';
}

function lab(s: LabSpec): Json {
  const t = s.test;
  return held(
    s.holder,
    {
      resourceType: 'Observation',
      id: s.id,
      status: s.status ?? 'final',
      category: LAB_CATEGORY,
      code: loinc(t.code, t.display),
      subject: patientRef(s.patient),
      effectiveDateTime: s.when,
      issued: s.when.replace(/T\d\d/, 'T16'),
      performer: [org(s.holder)],
      valueQuantity: quantity(s.value, t),
      ...(s.flag
        ? { interpretation: [concept(INTERPRETATION, s.flag, s.flag === 'H' ? 'High' : 'Low')] }
        : {}),
      referenceRange: [
        {
          ...(t.low !== undefined ? { low: quantity(t.low, t) } : {}),
          ...(t.high !== undefined ? { high: quantity(t.high, t) } : {}),
        },
      ],
      ...(s.order ? { basedOn: [{ reference: `ServiceRequest/${s.order}` }] } : {}),
    },
    'nl-core-LaboratoryTestResult',
  );
}

function labOrder(id: string, patient: string, holder: string, requester: Json, when: string, text: string): Json {
  return held(holder, {
    resourceType: 'ServiceRequest',
    id,
    status: 'completed',
    intent: 'order',
    category: [sct('108252007', 'Laboratoriumonderzoek')],
    code: { text },
    subject: patientRef(patient),
    authoredOn: when,
    requester,
  });
}

/** Johanna's series: every ~30 days for 13 months, the last one during the admission. */
function series(c: Clock): Json[] {
  const days = [-395, -360, -330, -300, -270, -240, -210, -180, -150, -120, -90, -60, -30, -1];
  const hb = [13.5, 13.1, 12.8, 12.4, 11.6, 12.2, 12.0, 11.2, 11.8, 12.6, 12.9, 12.3, 11.9, 10.8];
  const kreat = [78, 82, 85, 88, 91, 95, 87, 110, 98, 92, 89, 86, 88, 124];
  const gluc = [7.1, 8.4, 6.9, 7.5, 9.2, 6.8, 7.7, 8.1, 7.3, 6.5, 7.0, 7.6, 6.9, 11.4];
  const out: Json[] = [];
  days.forEach((day, i) => {
    const holder: Hospital = day <= -170 ? 'mst' : 'zgt';
    const last = i === days.length - 1;
    const order = last ? 'hz-jo-labaanvraag-zgt' : undefined;
    const when = c.at(day, 8, 15);
    out.push(
      lab({ id: `hz-jo-hb-${-day}`, patient: 'johanna', holder, test: HB, value: hb[i]!, when, order, ...(last ? { flag: 'L' as const } : {}) }),
      lab({ id: `hz-jo-kreat-${-day}`, patient: 'johanna', holder, test: CREATININE, value: kreat[i]!, when, order, ...(last ? { flag: 'H' as const } : {}) }),
      lab({ id: `hz-jo-glucose-${-day}`, patient: 'johanna', holder, test: GLUCOSE, value: gluc[i]!, when, order, ...(last ? { flag: 'H' as const } : {}) }),
    );
  });
  return out;
}

function vital(id: string, patient: string, holder: Hospital, kind: 'weight' | 'height', value: number, when: string): Json {
  const [code, display, unit, profile] =
    kind === 'weight'
      ? ['29463-7', 'Lichaamsgewicht', 'kg', 'nl-core-BodyWeight']
      : ['8302-2', 'Lichaamslengte', 'cm', 'nl-core-BodyHeight'];
  return held(
    holder,
    {
      resourceType: 'Observation',
      id,
      status: 'final',
      category: [concept(OBS_CATEGORY, 'vital-signs', 'Vital Signs')],
      code: loinc(code, display),
      subject: patientRef(patient),
      effectiveDateTime: when,
      valueQuantity: { value, unit, system: UCUM, code: unit },
    },
    profile,
  );
}

function report(
  id: string,
  patient: string,
  holder: Hospital,
  section: [string, string],
  code: Json,
  when: string,
  who: string,
  conclusion: string,
  extra: Json = {},
): Json {
  return held(
    holder,
    {
      resourceType: 'DiagnosticReport',
      id,
      status: 'final',
      category: [concept(V2_0074, section[0], section[1])],
      code,
      subject: patientRef(patient),
      effectiveDateTime: when,
      issued: when.replace(/T\d\d/, 'T17'),
      performer: [org(holder)],
      resultsInterpreter: [person(who)],
      conclusion,
      ...extra,
    },
    'nl-core-TextResult',
  );
}

export function results(c: Clock): Record<string, Json[]> {
  return {
    johanna: [
      labOrder('hz-jo-labaanvraag-zgt', 'johanna', 'zgt', person('hz-zgt-internist-jansen'), c.at(-2, 14), 'Hb, creatinine, glucose'),
      ...series(c),
      // The GP's own request, done by the hospital's lab: the portal leaves these out.
      labOrder('hz-jo-labaanvraag-huisarts', 'johanna', 'praktijk-roombeek', role('hz-huisarts-bakker'), c.at(-46, 9), 'TSH (huisarts)'),
      lab({ id: 'hz-jo-tsh-huisarts', patient: 'johanna', holder: 'zgt', test: TSH, value: 5.6, when: c.at(-45, 8), order: 'hz-jo-labaanvraag-huisarts' }),
      lab({ id: 'hz-jo-crp-voorlopig', patient: 'johanna', holder: 'zgt', test: CRP, value: 85, when: c.at(-1, 8, 15), status: 'preliminary' }),
      vital('hz-jo-gewicht-1', 'johanna', 'zgt', 'weight', 80.1, c.at(-30, 10)),
      vital('hz-jo-gewicht-2', 'johanna', 'zgt', 'weight', 78.4, c.at(-2, 15)),
      vital('hz-jo-lengte', 'johanna', 'zgt', 'height', 168, c.at(-2, 15)),
      report('hz-jo-sputumkweek', 'johanna', 'zgt', ['MB', 'Microbiology'], loinc('624-7', 'Sputumkweek'), c.at(-2, 10), 'hz-zgt-internist-jansen', 'Streptococcus pneumoniae, gevoelig voor ceftriaxon.', {
        result: [{ reference: 'Observation/hz-jo-sputumkweek-uitslag' }],
      }),
      held(
        'zgt',
        {
          resourceType: 'Observation',
          id: 'hz-jo-sputumkweek-uitslag',
          status: 'final',
          category: LAB_CATEGORY,
          code: loinc('624-7', 'Bacterie geïdentificeerd in sputum (kweek)'),
          subject: patientRef('johanna'),
          effectiveDateTime: c.at(-2, 10),
          valueCodeableConcept: sct('9861002', 'Streptococcus pneumoniae'),
        },
        'nl-core-LaboratoryTestResult',
      ),
      report('hz-jo-xthorax', 'johanna', 'zgt', ['RAD', 'Radiology'], loinc('36643-5', 'X-thorax 2 richtingen'), c.at(-2, 9, 45), 'hz-zgt-internist-jansen', 'Consolidatie rechter onderkwab passend bij pneumonie. Pacemaker in situ.', {
        media: [{ comment: 'X-thorax PA', link: { reference: 'Media/hz-jo-xthorax-beeld' } }],
      }),
      held(
        'zgt',
        {
          resourceType: 'Media',
          id: 'hz-jo-xthorax-beeld',
          status: 'completed',
          type: concept('http://terminology.hl7.org/CodeSystem/media-type', 'image', 'Image'),
          modality: concept('http://dicom.nema.org/resources/ontology/DCM', 'DX', 'Digital Radiography'),
          subject: patientRef('johanna'),
          createdDateTime: c.at(-2, 9, 45),
          content: { contentType: 'image/png', title: 'X-thorax PA', data: png() },
        },
        'nl-core-TextResult.VisualResult',
      ),
    ],
    willem: [
      lab({ id: 'hz-wim-ntprobnp', patient: 'willem', holder: 'mst', test: NT_PROBNP, value: 2400, when: c.at(-5, 12), flag: 'H' }),
      lab({ id: 'hz-wim-kalium', patient: 'willem', holder: 'mst', test: POTASSIUM, value: 3.2, when: c.at(-4, 7) }),
      lab({ id: 'hz-wim-hb', patient: 'willem', holder: 'mst', test: HB, value: 14.1, when: c.at(-4, 7) }),
      vital('hz-wim-gewicht', 'willem', 'mst', 'weight', 91.5, c.at(-5, 13)),
      report('hz-wim-xthorax', 'willem', 'mst', ['RAD', 'Radiology'], loinc('36643-5', 'X-thorax 2 richtingen'), c.at(-5, 13), 'hz-mst-radioloog-brouwer', 'Cardiomegalie met pleuravocht beiderzijds, passend bij decompensatio cordis.'),
    ],
    gerrit: [
      lab({ id: 'hz-gerrit-hb', patient: 'gerrit', holder: 'mst', test: HB, value: 15.2, when: c.at(-20, 17) }),
      lab({ id: 'hz-gerrit-kreat', patient: 'gerrit', holder: 'mst', test: CREATININE, value: 96, when: c.at(-20, 17) }),
      report('hz-gerrit-xthorax', 'gerrit', 'mst', ['RAD', 'Radiology'], loinc('36643-5', 'X-thorax 2 richtingen'), c.at(-20, 17, 30), 'hz-mst-radioloog-brouwer', 'Geen afwijkingen.'),
    ],
    hendrika: [
      lab({ id: 'hz-riek-hb', patient: 'hendrika', holder: 'zgt', test: HB, value: 9.8, when: c.at(-93, 7), flag: 'L' }),
      lab({ id: 'hz-riek-kreat', patient: 'hendrika', holder: 'zgt', test: CREATININE, value: 101, when: c.at(-3, 8) }),
      report('hz-riek-pathologie-heup', 'hendrika', 'zgt', ['SP', 'Surgical Pathology'], loinc('22634-0', 'Pathologieverslag'), c.at(-90, 11), 'hz-zgt-chirurg-smit', 'Femurkop links: fractuur bij osteoporose; geen aanwijzingen voor maligniteit.'),
    ],
  };
}
