import { careMoments } from './care-moments.ts';
import { Clock, held, type Json } from './context.ts';
import { directory, org, person } from './directory.ts';
import { medication } from './medication.ts';
import { nursing } from './nursing.ts';
import { demographics, PATIENTS, patientRef, permit } from './patients.ts';
import { record } from './record.ts';
import { reports } from './reports.ts';
import { results } from './results.ts';

export { PATIENTS, fullName } from './patients.ts';
export { PEOPLE, ORGANIZATIONS } from './directory.ts';

/**
 * The treatment relationships and consents of the demo (server/access/README.md): the GPs by
 * `generalPractitioner` (patients.ts), the elderly-care physician by the nursing home's episode
 * of care, and each patient's explicit consent for the hospital's data, except Gerrit Bosch's.
 */
function access(c: Clock): Record<string, Json[]> {
  return {
    johanna: [permit('johanna', 'hz-huisarts-bakker', c)],
    willem: [permit('willem', 'hz-huisarts-bakker', c)],
    gerrit: [],
    hendrika: [
      held(
        'verpleeghuis-het-wooldrik',
        {
          resourceType: 'EpisodeOfCare',
          id: 'hz-riek-verpleeghuiszorg',
          extension: [
            {
              url: 'http://nictiz.nl/fhir/StructureDefinition/ext-EpisodeOfCare.EpisodeOfCareName',
              valueString: 'Revalidatie en verpleeghuiszorg na heupfractuur',
            },
          ],
          status: 'active',
          patient: patientRef('hendrika'),
          managingOrganization: org('verpleeghuis-het-wooldrik'),
          period: { start: c.day(-84) },
          careManager: person('hz-so-visser'),
        },
        'nl-core-EpisodeOfCare',
      ),
      permit('hendrika', 'hz-so-visser', c),
    ],
  };
}

export interface HospitalSeed {
  directory: Json[];
  patients: { key: string; id: string; bsn: string; resources: Json[] }[];
}

/** The whole demo, dated from `now`. */
export function hospitalSeed(now: Date): HospitalSeed {
  const c = new Clock(now);
  const areas = [access(c), careMoments(c), record(c), medication(c), reports(c), nursing(c), results(c)];
  return {
    directory: directory(),
    patients: PATIENTS.map((p) => ({
      key: p.key,
      id: p.id,
      bsn: p.bsn,
      resources: [...demographics(p.key, c), ...areas.flatMap((a) => a[p.key] ?? [])],
    })),
  };
}

/** Who to log in as, and what each sees (printed at the end of the seed). */
export const GUIDE = {
  logins: [
    ['GP with consent', 'hz-huisarts-bakker'],
    ['GP without consent', 'hz-huisarts-kok'],
    ['GP post doctor (break-the-glass)', 'hz-hap-arts-mulder'],
    ['elderly-care physician', 'hz-so-visser'],
  ] as const,
  patients: {
    johanna:
      'inpatient at ZGT since 2 days (ER visit before it), past MST admission; every record screen: ' +
      'allergies, problems, substance use, diagnoses, pacemaker, medication in all five categories, ' +
      'SOEP report, letters (PDF), MRSA alert, nursing dossier (NANDA/NOC/NIC), nutrition, operations ' +
      '(planned, done, waiting list), a referral; 13 months of Hb/creatinine/glucose, measurements, ' +
      'microbiology, X-thorax with image',
    willem: 'inpatient at MST (cardiology), ER visit 10 days ago (not in the 7-day list), NT-proBNP high, potassium low',
    gerrit: 'no consent: his GP sees him, but none of MST\'s data (labs, X-ray, medication)',
    hendrika:
      'nursing home (episode of care of the elderly-care physician); ER visit 3 days ago, catheter and ' +
      'wheelchair, functional and mental status, treatment limitation (no CPR), MDO, pathology',
  } as Record<string, string>,
};
