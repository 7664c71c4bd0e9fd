import {
  CARE_QUESTION_SYSTEM,
  CLUSTER_EXTENSION,
  ELIGIBILITY_EXTENSION,
  ICPC_SYSTEM,
  OFFERING_KIND_SYSTEM,
  QUESTIONNAIRE_EXTENSION,
} from '../../../server/domain/referral/vocabulary.ts';
import { careQuestionDisplay, icpcDisplay } from '../../../server/domain/referral/catalogue-terminology.ts';
import { org, ref, type Json } from './directory.ts';
import { questionnaireUrl } from './questionnaires.ts';

/** Vektis' specialism codes (AGB "zorgverlenersspecificatie", COD016-VEKT). */
export const SPECIALISM = 'urn:oid:2.16.840.1.113883.2.4.6.7';
const SPECIALISMS: Record<string, string> = {
  '0305': 'Orthopedie',
  '0307': 'Verloskunde en gynaecologie',
  '0320': 'Cardiologie',
  '0322': 'Longziekten',
  '0313': 'Interne geneeskunde',
};

type Day = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
const WEEKDAYS: Day[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

interface Offering {
  id: string;
  name: string;
  provider: string;
  cluster?: string;
  kind: 'referral' | 'diagnostics';
  questions: string[];
  icpc: string[];
  specialism?: string;
  locations: string[];
  comment: string;
  details?: string;
  minAge?: number;
  maxAge?: number;
  gender?: 'male' | 'female';
  questionnaire?: string;
  hours?: { days: Day[]; from: string; to: string }[];
  active?: boolean;
}

/**
 * The demo catalogue (seed 003): offerings of the hospital's two clusters, one of the hospital
 * at large, and the diagnostics centre's requests; with eligibility, questionnaires and access
 * times. `ref-zo-pob-oud` is inactive: the catalogue never shows it.
 */
export const OFFERINGS: Offering[] = [
  { id: 'ref-zo-pob', name: 'Pijn op de borst (spreekuur)', provider: 'ref-ziekenhuis-oost', cluster: 'ref-zo-cardiologie', kind: 'referral', questions: ['cardiologie.pijn-op-de-borst'], icpc: ['K01', 'K02', 'K74'], specialism: '0320', locations: ['ref-loc-zo-deventer'], comment: 'Beoordeling binnen twee weken, zo nodig met inspanningstest.', details: 'Bij acute klachten: bel de cardioloog van dienst.', minAge: 18, questionnaire: 'ref-vragen-pijn-op-de-borst', hours: [{ days: WEEKDAYS, from: '08:30:00', to: '17:00:00' }] },
  { id: 'ref-zo-hartfalen', name: 'Hartfalenpolikliniek', provider: 'ref-ziekenhuis-oost', cluster: 'ref-zo-cardiologie', kind: 'referral', questions: ['cardiologie.hartfalen'], icpc: ['K77'], specialism: '0320', locations: ['ref-loc-zo-deventer'], comment: 'Verpleegkundig spreekuur met de cardioloog.', minAge: 18, hours: [{ days: ['tue', 'thu'], from: '09:00:00', to: '12:30:00' }] },
  { id: 'ref-zo-ritme', name: 'Hartritmepolikliniek', provider: 'ref-ziekenhuis-oost', cluster: 'ref-zo-cardiologie', kind: 'referral', questions: ['cardiologie.hartkloppingen'], icpc: ['K04', 'K78'], specialism: '0320', locations: ['ref-loc-zo-deventer'], comment: 'Holter-registratie op de dag van het eerste bezoek.', minAge: 16 },
  { id: 'ref-zo-kindercardiologie', name: 'Kindercardiologie', provider: 'ref-ziekenhuis-oost', cluster: 'ref-zo-cardiologie', kind: 'referral', questions: ['cardiologie.hartkloppingen', 'cardiologie.pijn-op-de-borst'], icpc: ['K04', 'K01'], specialism: '0320', locations: ['ref-loc-zo-deventer'], comment: 'Voor kinderen en jongeren tot 18 jaar.', maxAge: 17 },
  { id: 'ref-zo-pob-oud', name: 'Pijn op de borst (oude route, vervallen)', provider: 'ref-ziekenhuis-oost', cluster: 'ref-zo-cardiologie', kind: 'referral', questions: ['cardiologie.pijn-op-de-borst'], icpc: ['K74'], specialism: '0320', locations: ['ref-loc-zo-deventer'], comment: 'Vervallen: verwijs naar Pijn op de borst (spreekuur).', active: false },
  { id: 'ref-zo-knie', name: 'Kniespreekuur', provider: 'ref-ziekenhuis-oost', cluster: 'ref-zo-orthopedie', kind: 'referral', questions: ['orthopedie.knieklachten'], icpc: ['L15', 'L90'], specialism: '0305', locations: ['ref-loc-zo-deventer'], comment: 'Orthopedisch chirurg en fysiotherapeut samen.', minAge: 16, questionnaire: 'ref-vragen-knieklachten', hours: [{ days: ['mon', 'wed', 'fri'], from: '08:00:00', to: '16:00:00' }] },
  { id: 'ref-zo-heup', name: 'Heupspreekuur', provider: 'ref-ziekenhuis-oost', cluster: 'ref-zo-orthopedie', kind: 'referral', questions: ['orthopedie.heupklachten'], icpc: ['L89'], specialism: '0305', locations: ['ref-loc-zo-deventer'], comment: 'Beoordeling voor conservatieve behandeling of prothese.', minAge: 18 },
  { id: 'ref-zo-rug', name: 'Rugpoli', provider: 'ref-ziekenhuis-oost', cluster: 'ref-zo-orthopedie', kind: 'referral', questions: ['orthopedie.rugklachten'], icpc: ['L02', 'L03', 'L86'], specialism: '0305', locations: ['ref-loc-zo-deventer'], comment: 'Multidisciplinair: orthopeed, neuroloog, pijnspecialist.' },
  { id: 'ref-zo-zwangerschap', name: 'Verloskunde tweede lijn', provider: 'ref-ziekenhuis-oost', kind: 'referral', questions: ['verloskunde.zwangerschap'], icpc: ['W78'], specialism: '0307', locations: ['ref-loc-zo-deventer'], comment: 'Medisch-specialistische begeleiding van de zwangerschap.', gender: 'female', minAge: 12, maxAge: 55 },
  { id: 'ref-dcn-bloed', name: 'Bloedonderzoek', provider: 'ref-diagnostiek-noord', kind: 'diagnostics', questions: ['diagnostiek.laboratorium.bloed', 'interne-geneeskunde.diabetes'], icpc: ['T90', 'A04', 'B80'], locations: ['ref-loc-dcn-zwolle', 'ref-loc-dcn-prikpost-kampen'], comment: 'Zonder afspraak op de prikposten.', details: 'Uitslag binnen één werkdag in het HIS.', questionnaire: 'ref-vragen-bloedonderzoek', hours: [{ days: WEEKDAYS, from: '07:30:00', to: '12:00:00' }, { days: ['sat'], from: '08:00:00', to: '10:00:00' }] },
  { id: 'ref-dcn-urine', name: 'Urineonderzoek', provider: 'ref-diagnostiek-noord', kind: 'diagnostics', questions: ['diagnostiek.laboratorium.urine'], icpc: ['U71'], locations: ['ref-loc-dcn-zwolle'], comment: 'Urine inleveren in het meegegeven potje.' },
  { id: 'ref-dcn-spirometrie', name: 'Longfunctieonderzoek (spirometrie)', provider: 'ref-diagnostiek-noord', kind: 'diagnostics', questions: ['diagnostiek.functieonderzoek.spirometrie', 'longziekten.copd-astma'], icpc: ['R95', 'R96', 'R05'], specialism: '0322', locations: ['ref-loc-dcn-zwolle'], comment: 'Met en zonder luchtwegverwijder.', minAge: 6, hours: [{ days: WEEKDAYS, from: '08:30:00', to: '16:30:00' }] },
  { id: 'ref-dcn-ecg', name: 'ECG', provider: 'ref-diagnostiek-noord', kind: 'diagnostics', questions: ['diagnostiek.functieonderzoek.ecg'], icpc: ['K04', 'K78', 'K86'], locations: ['ref-loc-dcn-zwolle'], comment: 'Rust-ECG, beoordeeld door de cardioloog.' },
];

const coding = (system: string, code: string, display?: string) => ({ system, code, ...(display ? { display } : {}) });

function offering(o: Offering): Json {
  const eligibility = [
    ...(o.minAge !== undefined ? [{ url: 'minAge', valueInteger: o.minAge }] : []),
    ...(o.maxAge !== undefined ? [{ url: 'maxAge', valueInteger: o.maxAge }] : []),
    ...(o.gender ? [{ url: 'gender', valueCode: o.gender }] : []),
  ];
  return {
    resourceType: 'HealthcareService',
    id: o.id,
    extension: [
      ...(o.cluster ? [{ url: CLUSTER_EXTENSION, valueReference: org(o.cluster) }] : []),
      ...(eligibility.length ? [{ url: ELIGIBILITY_EXTENSION, extension: eligibility }] : []),
      ...(o.questionnaire ? [{ url: QUESTIONNAIRE_EXTENSION, valueCanonical: questionnaireUrl(o.questionnaire) }] : []),
    ],
    active: o.active ?? true,
    providedBy: org(o.provider),
    category: [
      {
        coding: [
          coding(OFFERING_KIND_SYSTEM, o.kind, o.kind === 'referral' ? 'Verwijzing' : 'Aanvraag diagnostiek'),
        ],
      },
    ],
    ...(o.specialism
      ? { specialty: [{ coding: [coding(SPECIALISM, o.specialism, SPECIALISMS[o.specialism])] }] }
      : {}),
    location: o.locations.map((l) => ref(`Location/${l}`)),
    name: o.name,
    comment: o.comment,
    ...(o.details ? { extraDetails: o.details } : {}),
    characteristic: [
      ...o.questions.map((q) => ({ coding: [coding(CARE_QUESTION_SYSTEM, q, careQuestionDisplay(q))] })),
      ...o.icpc.map((c) => ({ coding: [coding(ICPC_SYSTEM, c, icpcDisplay(c))] })),
    ],
    ...(o.hours
      ? {
          availableTime: o.hours.map((h) => ({
            daysOfWeek: h.days,
            availableStartTime: h.from,
            availableEndTime: h.to,
          })),
        }
      : {}),
  };
}

export const offerings = (): Json[] => OFFERINGS.map(offering);
