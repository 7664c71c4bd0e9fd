import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse, type Language } from '../language.ts';
import { GENDERS } from './catalogue-offering.ts';
import { ICPC_CODE, isCareQuestion } from './catalogue-terminology.ts';
import { CARE_QUESTION_SYSTEM, ICPC_SYSTEM, OFFERING_KINDS } from './vocabulary.ts';

/** What a referrer asks the catalogue, checked and tidied (catalogue.ts). */
export interface CatalogueRequest {
  careQuestion?: string;
  icpc?: string;
  kind?: (typeof OFFERING_KINDS)[number];
  /** Whole years, from `age` or the patient's birth date as of today. */
  age?: number;
  gender?: string;
  /** `filters=off` (the seed's "kruisje"): care question, ICPC and patient data do not filter. */
  filtersOff: boolean;
  /** Free-text words, each of which must be found. */
  words: string[];
  count: number;
}

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 200;
const NAMES = ['care-question', 'icpc', 'kind', 'patient', 'age', 'gender', 'filters', '_text', '_count'];

type Parameter = { name?: unknown; [value: `value${string}`]: unknown };

/** The parameters as name/value pairs: the query string of a GET, the Parameters body of a POST. */
function pairsOf(req: FhirRequest, language: Language): [string, string][] {
  if (req.method !== 'POST') return [...req.query];
  const body = req.body as { resourceType?: unknown; parameter?: unknown } | undefined;
  if ([...req.query].length || body?.resourceType !== 'Parameters' || !Array.isArray(body.parameter ?? [])) {
    refuse(language, 400, 'invalid', {
      en: 'POST HealthcareService/$catalogue takes its parameters in a Parameters body (and none in the URL)',
      nl: 'POST HealthcareService/$catalogue verwacht de parameters in een Parameters-body (en niet in de URL)',
    });
  }
  return ((body.parameter as Parameter[] | undefined) ?? []).map((p) => {
    const name = typeof p?.name === 'string' ? p.name : '';
    const ref = (p?.valueReference as { reference?: unknown } | undefined)?.reference;
    const value =
      p?.valueString ?? p?.valueCode ?? p?.valueInteger ?? p?.valueUnsignedInt ?? p?.valuePositiveInt ?? ref;
    if (typeof value !== 'string' && typeof value !== 'number') {
      refuse(language, 400, 'invalid', {
        en: `Parameter '${name}' needs a value (valueString, valueCode, valueInteger or valueReference)`,
        nl: `Parameter '${name}' heeft een waarde nodig (valueString, valueCode, valueInteger of valueReference)`,
      });
    }
    return [name, String(value)];
  });
}

/** `system|code` or a bare code of `system`; another system is refused. */
function codeOf(value: string, system: string, name: string, language: Language): string {
  const bar = value.lastIndexOf('|');
  if (bar < 0) return value;
  if (value.slice(0, bar) !== system) {
    refuse(language, 400, 'invalid', {
      en: `'${name}' is a code of ${system}, not '${value}'`,
      nl: `'${name}' is een code van ${system}, niet '${value}'`,
    });
  }
  return value.slice(bar + 1);
}

/** Age in whole years on `today` (YYYY-MM-DD) of someone born on `birthDate` (YYYY, YYYY-MM or YYYY-MM-DD). */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm = '01', bd = '01'] = birthDate.split('-');
  const [ty, tm, td] = today.split('-');
  const age = Number(ty) - Number(by);
  return `${tm}-${td}` < `${bm}-${bd.slice(0, 2)}` ? age - 1 : age;
}

/**
 * The parameters of `HealthcareService/$catalogue`: unknown or repeated ones, an unknown care
 * question, an ICPC code not written as one, an age that is not a whole number of years, a
 * gender that is not an administrative gender, a patient and an age or gender both: 400. A
 * patient the caller may not see answers as a missing one (404).
 */
export async function readCatalogueRequest(ctx: RestContext, req: FhirRequest): Promise<CatalogueRequest> {
  const language = ctx.language;
  const bad = (en: string, nl: string): never => refuse(language, 400, 'invalid', { en, nl });
  const given = new Map<string, string>();
  for (const [name, raw] of pairsOf(req, language)) {
    if (!NAMES.includes(name)) {
      bad(
        `Unknown parameter '${name}'. $catalogue takes: ${NAMES.join(', ')}`,
        `Onbekende parameter '${name}'. $catalogue kent: ${NAMES.join(', ')}`,
      );
    }
    if (given.has(name)) bad(`'${name}' is given twice`, `'${name}' is twee keer opgegeven`);
    const value = raw.trim();
    if (value) given.set(name, value);
  }
  const request: CatalogueRequest = { filtersOff: false, words: [], count: DEFAULT_COUNT };
  const careQuestion = given.get('care-question');
  if (careQuestion !== undefined) {
    const code = codeOf(careQuestion, CARE_QUESTION_SYSTEM, 'care-question', language);
    if (!isCareQuestion(code)) {
      bad(
        `Unknown care question '${code}': see CodeSystem ${CARE_QUESTION_SYSTEM} for the codes`,
        `Onbekende zorgvraag '${code}': zie CodeSystem ${CARE_QUESTION_SYSTEM} voor de codes`,
      );
    }
    request.careQuestion = code;
  }
  const icpc = given.get('icpc');
  if (icpc !== undefined) {
    const code = codeOf(icpc, ICPC_SYSTEM, 'icpc', language).toUpperCase();
    if (!ICPC_CODE.test(code)) {
      bad(
        `'${icpc}' is not an ICPC-1 NL code: a letter and two digits, optionally .nn (K74, T90.02)`,
        `'${icpc}' is geen ICPC-1 NL-code: een letter en twee cijfers, eventueel .nn (K74, T90.02)`,
      );
    }
    request.icpc = code;
  }
  const kind = given.get('kind');
  if (kind !== undefined) {
    if (!(OFFERING_KINDS as readonly string[]).includes(kind)) {
      bad(
        `'kind' is ${OFFERING_KINDS.join(' or ')}, not '${kind}'`,
        `'kind' is ${OFFERING_KINDS.join(' of ')}, niet '${kind}'`,
      );
    }
    request.kind = kind as CatalogueRequest['kind'];
  }
  const age = given.get('age');
  if (age !== undefined) {
    if (!/^\d{1,3}$/.test(age) || Number(age) > 150) {
      bad(
        `'age' is the patient's age in whole years (0-150), not '${age}'`,
        `'age' is de leeftijd van de patiënt in hele jaren (0-150), niet '${age}'`,
      );
    }
    request.age = Number(age);
  }
  const gender = given.get('gender');
  if (gender !== undefined) {
    if (!(GENDERS as readonly string[]).includes(gender)) {
      bad(
        `'gender' is one of ${GENDERS.join(', ')} (administrative gender), not '${gender}'`,
        `'gender' is een van ${GENDERS.join(', ')} (administratief geslacht), niet '${gender}'`,
      );
    }
    request.gender = gender;
  }
  const filters = given.get('filters');
  if (filters !== undefined) {
    if (filters !== 'on' && filters !== 'off') {
      bad(`'filters' is on or off, not '${filters}'`, `'filters' is on of off, niet '${filters}'`);
    }
    request.filtersOff = filters === 'off';
  }
  const text = given.get('_text');
  if (text !== undefined) {
    if (text.length > 200) bad("'_text' is at most 200 characters", "'_text' is hoogstens 200 tekens");
    request.words = [...new Set(text.split(/\s+/).filter(Boolean))].slice(0, 10);
  }
  const count = given.get('_count');
  if (count !== undefined) {
    if (!/^\d{1,4}$/.test(count) || Number(count) < 1 || Number(count) > MAX_COUNT) {
      bad(
        `'_count' is a whole number from 1 to ${MAX_COUNT}, not '${count}'`,
        `'_count' is een geheel getal van 1 tot en met ${MAX_COUNT}, niet '${count}'`,
      );
    }
    request.count = Number(count);
  }
  const patient = given.get('patient');
  if (patient !== undefined) {
    if (age !== undefined || gender !== undefined) {
      bad(
        "Give either 'patient' or 'age' and 'gender': the patient's age and gender are read from the Patient",
        "Geef 'patient' of 'age' en 'gender': leeftijd en geslacht worden uit de Patient gelezen",
      );
    }
    Object.assign(request, await patientData(ctx, patient));
  }
  return request;
}

/** Age (today) and gender of a Patient the caller may read; a hidden one is answered as a missing one. */
async function patientData(ctx: RestContext, reference: string): Promise<{ age?: number; gender?: string }> {
  const m = /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/.exec(reference);
  const found = m ? await ctx.store.lookup('Patient', m[1]!) : { kind: 'none' as const };
  if (found.kind !== 'live' || !found.version.content) {
    refuse(ctx.language, 404, 'not-found', {
      en: `Patient '${reference}' is not known (or not yours to see)`,
      nl: `Patiënt '${reference}' is niet bekend (of niet door u in te zien)`,
    });
  }
  const p = JSON.parse(found.version.content) as { id: string; birthDate?: string; gender?: string };
  // Their birth date and gender were used for the caller: in the patient's access log.
  ctx.audit?.record({
    interaction: '$catalogue',
    resourceType: 'HealthcareService',
    query: `age and gender of Patient/${p.id}`,
    status: 200,
    resources: [{ resourceType: 'Patient', ...p } as Resource],
  });
  const today = new Date().toISOString().slice(0, 10);
  return {
    ...(p.birthDate ? { age: ageOn(p.birthDate, today) } : {}),
    ...(p.gender ? { gender: p.gender } : {}),
  };
}
