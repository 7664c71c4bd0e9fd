import { FhirError } from '../../fhir/errors.ts';
import { ICPC_CODE, isCareQuestion } from './catalogue-terminology.ts';
import {
  CARE_QUESTION_SYSTEM,
  CLUSTER_EXTENSION,
  ELIGIBILITY_EXTENSION,
  ICPC_SYSTEM,
  OFFERING_KIND_SYSTEM,
  OFFERING_KINDS,
  QUESTIONNAIRE_EXTENSION,
} from './vocabulary.ts';

type Json = Record<string, unknown>;
type Extension = { url?: string; extension?: Extension[] } & Json;
type Coding = { system?: string; code?: string };

/** Administrative gender (R4 required binding), the values `offering-eligibility.gender` takes. */
export const GENDERS = ['male', 'female', 'other', 'unknown'] as const;

/**
 * What the catalogue and its write rule read of an offering (a HealthcareService). Eligibility
 * ages are whole years as `valueInteger` (a number search parameter indexes them, and a
 * referrer thinks in years); `maxAge` is inclusive (17: until the 18th birthday).
 */
export interface Offering {
  organization?: string;
  cluster?: string;
  questionnaire?: string;
  minAge?: number;
  maxAge?: number;
  gender?: string;
}

const idOf = (ref: unknown, type: string): string | undefined => {
  const [t, id, rest] = String((ref as { reference?: string } | undefined)?.reference ?? '').split('/');
  return t === type && id && rest === undefined ? id : undefined;
};
const extensions = (r: Json | Extension, url: string) =>
  ((r.extension ?? []) as Extension[]).filter((e) => e.url === url);

export function offeringOf(r: Json): Offering {
  const eligibility = extensions(r, ELIGIBILITY_EXTENSION)[0];
  const part = (name: string) => eligibility && extensions(eligibility, name)[0];
  const minAge = part('minAge')?.valueInteger as number | undefined;
  const maxAge = part('maxAge')?.valueInteger as number | undefined;
  const gender = part('gender')?.valueCode as string | undefined;
  const cluster = idOf(extensions(r, CLUSTER_EXTENSION)[0]?.valueReference, 'Organization');
  const questionnaire = extensions(r, QUESTIONNAIRE_EXTENSION)[0]?.valueCanonical as string | undefined;
  const organization = idOf(r.providedBy, 'Organization');
  return {
    ...(organization ? { organization } : {}),
    ...(cluster ? { cluster } : {}),
    ...(questionnaire ? { questionnaire } : {}),
    ...(minAge !== undefined ? { minAge } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(gender !== undefined ? { gender } : {}),
  };
}

const codings = (concepts: unknown): Coding[] =>
  ((concepts ?? []) as { coding?: Coding[] }[]).flatMap((c) => c.coding ?? []);

/**
 * The problems of an offering's catalogue data, each in English and Dutch: care questions must
 * be ours, ICPC codes written as ICPC, the kind referral or diagnostics, the eligibility as
 * documented, one cluster, and the questionnaire a canonical URL without a version (the write
 * rule finds the offerings that use a Questionnaire by its URL).
 */
export function offeringProblems(r: Json): string[] {
  const problems: string[] = [];
  const say = (en: string, nl: string) => problems.push(`${en} / ${nl}`);
  for (const c of codings(r.characteristic)) {
    if (c.system === CARE_QUESTION_SYSTEM && !isCareQuestion(c.code ?? '')) {
      say(
        `Unknown care question '${c.code}' (${CARE_QUESTION_SYSTEM})`,
        `Onbekende zorgvraag '${c.code}' (${CARE_QUESTION_SYSTEM})`,
      );
    }
    if (c.system === ICPC_SYSTEM && !ICPC_CODE.test(c.code ?? '')) {
      say(
        `'${c.code}' is not an ICPC-1 NL code (a letter and two digits, optionally .nn: K74, T90.02)`,
        `'${c.code}' is geen ICPC-1 NL-code (een letter en twee cijfers, eventueel .nn: K74, T90.02)`,
      );
    }
  }
  for (const c of codings(r.category)) {
    if (c.system === OFFERING_KIND_SYSTEM && !(OFFERING_KINDS as readonly string[]).includes(c.code ?? '')) {
      say(
        `Unknown offering kind '${c.code}': ${OFFERING_KINDS.join(' or ')}`,
        `Onbekende soort aanbod '${c.code}': ${OFFERING_KINDS.join(' of ')}`,
      );
    }
  }
  const eligibility = extensions(r, ELIGIBILITY_EXTENSION);
  if (eligibility.length > 1) say('At most one offering-eligibility', 'Hoogstens één offering-eligibility');
  for (const part of eligibility[0]?.extension ?? []) {
    if (part.url === 'minAge' || part.url === 'maxAge') {
      const age = part.valueInteger;
      if (typeof age !== 'number' || age < 0 || age > 150) {
        say(
          `offering-eligibility ${part.url} is a valueInteger: whole years, 0-150`,
          `offering-eligibility ${part.url} is een valueInteger: hele jaren, 0-150`,
        );
      }
    } else if (part.url === 'gender') {
      if (!(GENDERS as readonly string[]).includes(String(part.valueCode))) {
        say(
          `offering-eligibility gender is a valueCode: ${GENDERS.join(', ')}`,
          `offering-eligibility gender is een valueCode: ${GENDERS.join(', ')}`,
        );
      }
    } else {
      say(
        `offering-eligibility has minAge, maxAge and gender, not '${part.url}'`,
        `offering-eligibility kent minAge, maxAge en gender, niet '${part.url}'`,
      );
    }
  }
  const o = offeringOf(r);
  if (o.minAge !== undefined && o.maxAge !== undefined && o.minAge > o.maxAge) {
    say(
      `minAge ${o.minAge} is above maxAge ${o.maxAge}`,
      `minAge ${o.minAge} is hoger dan maxAge ${o.maxAge}`,
    );
  }
  const clusters = extensions(r, CLUSTER_EXTENSION);
  if (clusters.length > 1 || (clusters.length === 1 && !o.cluster)) {
    say(
      'An offering belongs to at most one cluster: one cluster extension with valueReference Organization/<id>',
      'Een aanbod hoort bij hoogstens één cluster: één cluster-extensie met valueReference Organization/<id>',
    );
  }
  const questionnaires = extensions(r, QUESTIONNAIRE_EXTENSION);
  if (
    questionnaires.length > 1 ||
    (questionnaires.length === 1 && (!o.questionnaire || o.questionnaire.includes('|')))
  ) {
    say(
      'offering-questionnaire: one valueCanonical, the Questionnaire.url without a version',
      'offering-questionnaire: één valueCanonical, de Questionnaire.url zonder versie',
    );
  }
  return problems;
}

/** Refuses (400) an offering whose catalogue data is wrong, naming every problem. */
export function assertOffering(id: string, r: Json): void {
  const problems = offeringProblems(r);
  if (!problems.length) return;
  throw new FhirError(400, `HealthcareService/${id}: ${problems.join('; ')}`, { code: 'invalid' });
}
