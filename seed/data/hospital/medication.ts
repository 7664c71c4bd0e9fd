import { person } from './directory.ts';
import { patientRef } from './patients.ts';
import { concept, held, sct, type Clock, type Hospital, type Json } from './context.ts';

/**
 * Dossier › Medicatie (seed 002 §2.4.1) in all five of the portal's categories
 * (server/domain/hospital/medication-category.ts): active home medication (a medication use),
 * active clinical medication (an agreement of category inpatient), planned (a period of use that
 * starts after today), stopped (status stopped; and MP9's stop type "stopgezet"), and ended or
 * stopped until further notice (completed; on hold with stop type "onderbroken").
 */
const STOP_TYPE = 'http://nictiz.nl/fhir/StructureDefinition/ext-StopType';
const REQUEST_CATEGORY = 'http://terminology.hl7.org/CodeSystem/medicationrequest-category';
const STATEMENT_CATEGORY = 'http://terminology.hl7.org/CodeSystem/medication-statement-category';

interface Agreement {
  id: string;
  patient: string;
  holder: Hospital;
  status: 'active' | 'on-hold' | 'stopped' | 'completed';
  medication: string;
  dose: string;
  start: string;
  end?: string;
  who: string;
  category?: 'inpatient' | 'outpatient' | 'discharge';
  stop?: [string, string];
}

function agreement(a: Agreement): Json {
  return held(a.holder, {
    resourceType: 'MedicationRequest',
    id: a.id,
    ...(a.stop ? { modifierExtension: [{ url: STOP_TYPE, valueCodeableConcept: sct(a.stop[0], a.stop[1]) }] } : {}),
    status: a.status,
    intent: 'order',
    ...(a.category ? { category: [concept(REQUEST_CATEGORY, a.category)] } : {}),
    medicationCodeableConcept: { text: a.medication },
    subject: patientRef(a.patient),
    authoredOn: a.start,
    requester: person(a.who),
    dosageInstruction: [
      {
        text: a.dose,
        timing: { repeat: { boundsPeriod: { start: a.start, ...(a.end ? { end: a.end } : {}) } } },
      },
    ],
  });
}

function use(id: string, patient: string, holder: Hospital, medication: string, dose: string, start: string): Json {
  return held(holder, {
    resourceType: 'MedicationStatement',
    id,
    status: 'active',
    category: concept(STATEMENT_CATEGORY, 'community', 'Community'),
    medicationCodeableConcept: { text: medication },
    subject: patientRef(patient),
    effectivePeriod: { start },
    dateAsserted: start,
    dosage: [{ text: dose }],
  });
}

export function medication(c: Clock): Record<string, Json[]> {
  return {
    johanna: [
      use('hz-jo-metformine', 'johanna', 'zgt', 'Metformine 500 mg tablet', '2 maal per dag 1 tablet', c.day(-2900)),
      use('hz-jo-perindopril', 'johanna', 'zgt', 'Perindopril 4 mg tablet', '1 maal per dag 1 tablet', c.day(-3600)),
      agreement({ id: 'hz-jo-ceftriaxon', patient: 'johanna', holder: 'zgt', status: 'active', category: 'inpatient', medication: 'Ceftriaxon 2 g poeder voor infusievloeistof', dose: '1 maal per dag 2 g intraveneus', start: c.at(-2, 14), end: c.at(5, 14), who: 'hz-zgt-internist-jansen' }),
      agreement({ id: 'hz-jo-prednisolon', patient: 'johanna', holder: 'zgt', status: 'active', category: 'discharge', medication: 'Prednisolon 30 mg tablet', dose: '1 maal per dag 1 tablet, 5 dagen (na ontslag)', start: c.day(5), end: c.day(10), who: 'hz-zgt-internist-jansen' }),
      agreement({ id: 'hz-jo-simvastatine', patient: 'johanna', holder: 'zgt', status: 'stopped', medication: 'Simvastatine 40 mg tablet', dose: '1 maal per dag 1 tablet', start: c.day(-1200), end: c.day(-2), who: 'hz-zgt-internist-jansen', stop: ['410546004', 'Stopgezet'] }),
      agreement({ id: 'hz-jo-amoxicilline', patient: 'johanna', holder: 'mst', status: 'completed', medication: 'Amoxicilline 500 mg capsule', dose: '3 maal per dag 1 capsule', start: c.day(-176), end: c.day(-169), who: 'hz-mst-cardioloog-dijkstra' }),
      agreement({ id: 'hz-jo-acenocoumarol', patient: 'johanna', holder: 'mst', status: 'on-hold', medication: 'Acenocoumarol 1 mg tablet', dose: 'Volgens schema trombosedienst', start: c.day(-170), who: 'hz-mst-cardioloog-dijkstra', stop: ['385655000', 'Onderbroken'] }),
    ],
    willem: [
      use('hz-wim-apixaban', 'willem', 'mst', 'Apixaban 5 mg tablet', '2 maal per dag 1 tablet', c.day(-9)),
      agreement({ id: 'hz-wim-furosemide', patient: 'willem', holder: 'mst', status: 'active', category: 'inpatient', medication: 'Furosemide 10 mg/ml injectievloeistof', dose: '2 maal per dag 40 mg intraveneus', start: c.at(-5, 12), who: 'hz-mst-cardioloog-dijkstra' }),
    ],
    gerrit: [
      use('hz-gerrit-ascal', 'gerrit', 'mst', 'Acetylsalicylzuur 80 mg tablet', '1 maal per dag 1 tablet', c.day(-397)),
      use('hz-gerrit-metoprolol', 'gerrit', 'mst', 'Metoprolol 50 mg tablet met gereguleerde afgifte', '1 maal per dag 1 tablet', c.day(-397)),
    ],
    hendrika: [
      use('hz-riek-paracetamol', 'hendrika', 'zgt', 'Paracetamol 500 mg tablet', '3 maal per dag 2 tabletten', c.day(-84)),
      agreement({ id: 'hz-riek-fraxiparine', patient: 'hendrika', holder: 'zgt', status: 'completed', medication: 'Nadroparine 2850 IE injectievloeistof', dose: '1 maal per dag subcutaan', start: c.day(-94), end: c.day(-60), who: 'hz-zgt-chirurg-smit' }),
    ],
  };
}
