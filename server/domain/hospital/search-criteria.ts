import { isValidBsn } from '../../auth/resolve-person.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import { refuse, type Language } from '../language.ts';

/** What the portal's search form holds (seed 002, 2.1.1), each optional, checked and tidied. */
export interface PortalCriteria {
  patientNumber?: string;
  bsn?: string;
  /** Part of the own (birth) surname. */
  name?: string;
  /** Part of the partner's surname. */
  partnerName?: string;
  /** YYYY-MM-DD */
  birthdate?: string;
  gender?: string;
  /** As given, upper-cased; Dutch postcodes as `1234AB` (searched with and without the space). */
  postcode?: string;
  houseNumber?: string;
  count: number;
}

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 100;

const NAMES = [
  'patient-number',
  'bsn',
  'name',
  'partner-name',
  'birthdate',
  'gender',
  'postcode',
  'house-number',
  '_count',
] as const;
type Name = (typeof NAMES)[number];

/** The accepted combinations, at least one complete (seed 002: "te weinig gegevens" otherwise). */
const COMBINATIONS: readonly (readonly Name[])[] = [
  ['patient-number'],
  ['bsn'],
  ['name', 'birthdate', 'gender'],
  ['partner-name', 'birthdate', 'gender'],
  ['postcode', 'house-number'],
];
const COMBINATIONS_TEXT = {
  en:
    'patient-number; bsn; name (part of the own or birth name) + birthdate + gender; ' +
    'partner-name (part of the partner name) + birthdate + gender; postcode + house-number',
  nl:
    'patiëntnummer (patient-number); BSN (bsn); (deel van) eigennaam (name) + geboortedatum (birthdate) + geslacht (gender); ' +
    '(deel van) partnernaam (partner-name) + geboortedatum + geslacht; postcode (postcode) + huisnummer (house-number)',
};

const GENDERS = ['male', 'female', 'other', 'unknown'];
const DUTCH_POSTCODE = /^([1-9]\d{3})\s*([A-Za-z]{2})$/;

type Parameter = { name?: unknown; [value: `value${string}`]: unknown };

/** The parameters as name/value pairs: the query string of a GET, the Parameters body of a POST. */
function pairsOf(req: FhirRequest, language: Language): [string, string][] {
  if (req.method !== 'POST') return [...req.query];
  if ([...req.query].length) {
    refuse(language, 400, 'invalid', {
      en: 'POST Patient/$portal-search takes its criteria in a Parameters body, not in the URL',
      nl: 'POST Patient/$portal-search verwacht de zoekgegevens in een Parameters-body, niet in de URL',
    });
  }
  const body = req.body as { resourceType?: unknown; parameter?: unknown } | undefined;
  if (body?.resourceType !== 'Parameters' || !Array.isArray(body.parameter ?? [])) {
    refuse(language, 400, 'invalid', {
      en: '$portal-search takes a Parameters resource',
      nl: '$portal-search verwacht een Parameters-resource',
    });
  }
  return ((body.parameter as Parameter[] | undefined) ?? []).map((p) => {
    const name = typeof p?.name === 'string' ? p.name : '';
    const value =
      p?.valueString ?? p?.valueCode ?? p?.valueDate ?? p?.valueId ?? p?.valueInteger ?? p?.valuePositiveInt;
    if (typeof value !== 'string' && typeof value !== 'number') {
      refuse(language, 400, 'invalid', {
        en: `Parameter '${name}' needs a value (valueString, valueCode, valueDate or valueInteger)`,
        nl: `Parameter '${name}' heeft een waarde nodig (valueString, valueCode, valueDate of valueInteger)`,
      });
    }
    return [name, String(value)];
  });
}

/**
 * The criteria of `Patient/$portal-search`: unknown or repeated parameters, malformed values,
 * a BSN that fails the 11-test and too few criteria are refused (400) with a message that says
 * what to do, in the caller's language.
 */
export function readCriteria(req: FhirRequest, language: Language): PortalCriteria {
  const bad = (en: string, nl: string): never => refuse(language, 400, 'invalid', { en, nl });
  const given = new Map<Name, string>();
  for (const [name, raw] of pairsOf(req, language)) {
    if (!(NAMES as readonly string[]).includes(name)) {
      bad(
        `Unknown parameter '${name}'. $portal-search takes: ${NAMES.join(', ')}`,
        `Onbekende parameter '${name}'. $portal-search kent: ${NAMES.join(', ')}`,
      );
    }
    if (given.has(name as Name)) bad(`'${name}' is given twice`, `'${name}' is twee keer opgegeven`);
    const value = raw.trim();
    if (value) given.set(name as Name, value);
  }
  if (!COMBINATIONS.some((combination) => combination.every((name) => given.has(name)))) {
    refuse(language, 400, 'required', {
      en: `Too few search criteria. Search by one of: ${COMBINATIONS_TEXT.en}`,
      nl: `Te weinig zoekgegevens ingevuld. Zoek op een van: ${COMBINATIONS_TEXT.nl}`,
    });
  }
  const criteria: PortalCriteria = { count: DEFAULT_COUNT };
  for (const [name, value] of given) {
    switch (name) {
      case 'patient-number':
        if (value.length > 64 || /[|,$\\]/.test(value)) {
          bad(`'${value}' is not a patient number`, `'${value}' is geen patiëntnummer`);
        }
        criteria.patientNumber = value;
        break;
      case 'bsn': {
        const bsn = value.replace(/[\s.]/g, '');
        if (!/^\d{9}$/.test(bsn) || !isValidBsn(bsn)) {
          bad(
            `'${value}' is not a valid BSN: nine digits that pass the 11-test`,
            `'${value}' is geen geldig BSN: negen cijfers die aan de elfproef voldoen`,
          );
        }
        criteria.bsn = bsn;
        break;
      }
      case 'name':
      case 'partner-name':
        if (value.length > 100 || /[,$|\\]/.test(value)) {
          bad(
            `'${name}' is (part of) a surname, not '${value}'`,
            `'${name}' is (een deel van) een achternaam, niet '${value}'`,
          );
        }
        if (name === 'name') criteria.name = value;
        else criteria.partnerName = value;
        break;
      case 'birthdate': {
        const date = new Date(`${value}T00:00:00Z`);
        if (
          !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
          Number.isNaN(date.getTime()) ||
          !date.toISOString().startsWith(value)
        ) {
          bad(
            `birthdate is a date as YYYY-MM-DD (e.g. 1955-05-05), not '${value}'`,
            `birthdate is een datum als JJJJ-MM-DD (bijv. 1955-05-05), niet '${value}'`,
          );
        }
        criteria.birthdate = value;
        break;
      }
      case 'gender':
        if (!GENDERS.includes(value)) {
          bad(
            `gender is one of ${GENDERS.join(', ')}, not '${value}'`,
            `gender (geslacht) is een van ${GENDERS.join(', ')}, niet '${value}'`,
          );
        }
        criteria.gender = value;
        break;
      case 'postcode': {
        const dutch = DUTCH_POSTCODE.exec(value);
        if (!dutch && (value.length > 12 || !/^[A-Za-z0-9 -]+$/.test(value))) {
          bad(`'${value}' is not a postcode`, `'${value}' is geen postcode`);
        }
        criteria.postcode = dutch ? `${dutch[1]}${dutch[2]!.toUpperCase()}` : value.toUpperCase();
        break;
      }
      case 'house-number':
        if (!/^\d{1,6}$/.test(value)) {
          bad(
            `house-number is the number alone, without an addition (e.g. 55 for 55A), not '${value}'`,
            `house-number is alleen het huisnummer, zonder toevoeging (bijv. 55 voor 55A), niet '${value}'`,
          );
        }
        criteria.houseNumber = String(Number(value));
        break;
      case '_count': {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n < 1 || n > MAX_COUNT) {
          bad(
            `_count is a whole number from 1 to ${MAX_COUNT}, not '${value}'`,
            `_count is een geheel getal van 1 tot ${MAX_COUNT}, niet '${value}'`,
          );
        }
        criteria.count = n;
        break;
      }
    }
  }
  return criteria;
}
