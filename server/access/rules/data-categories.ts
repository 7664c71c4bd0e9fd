import type { SearchEngine } from '../../fhir/search/engine.ts';
import { and, FALSE, or, TRUE, typeIn } from '../../fhir/search/conditions.ts';
import type { Condition } from '../../fhir/search/types.ts';
import { HELD } from '../facts/consent-rules.ts';
import { heldBy } from './treatment-relationship.ts';

const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
/** The security label of patient-asserted data; the server puts it on every patient's write. */
export const PATIENT_ASSERTED = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'PATAST',
  display: 'patient asserted',
};

/**
 * The data categories a consent can name (codes of https://zorgpoort.nl/fhir/CodeSystem/data-category),
 * each as search criteria per resource type (`*`: every type; empty: every resource of the
 * type). They are search criteria, so they compile into the same SQL and have the same
 * in-memory twin as any search.
 */
const CATEGORIES: Record<string, Record<string, string>> = {
  laboratory: {
    Observation: 'category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory',
    DiagnosticReport: 'category=http://terminology.hl7.org/CodeSystem/v2-0074|LAB',
    Specimen: '',
  },
  medication: {
    MedicationRequest: '',
    MedicationStatement: '',
    MedicationDispense: '',
    MedicationAdministration: '',
  },
  'mental-health': { '*': `_security=${ACT_CODE}|PSY,${ACT_CODE}|MH` },
  pgd: { '*': `_security=${PATIENT_ASSERTED.system}|${PATIENT_ASSERTED.code}` },
  documents: { DocumentReference: '', Composition: '' },
};
export const DATA_CATEGORIES = Object.keys(CATEGORIES);

/**
 * Whether a row is of a data category, for one resource type or (undefined) for a row of any
 * type. A category the server does not know matches everything in a deny and nothing in a
 * permit, so an unreadable rule fails closed: the caller says which with `unknown`.
 */
export function createCategoryMatcher(search: SearchEngine) {
  const cache = new Map<string, Condition>();
  const criteria = (type: string, query: string): Condition =>
    query ? search.criteria(type, query, '').condition : TRUE;

  function known(category: string, type: string | undefined): Condition | undefined {
    if (category.startsWith(HELD)) {
      // The data one organisation holds (its custodian tag), of a category if one follows.
      const text = category.slice(HELD.length);
      const amp = text.indexOf('&');
      const org = amp < 0 ? text : text.slice(0, amp);
      if (!/^[A-Za-z0-9\-.]{1,64}$/.test(org)) return undefined;
      const rest = amp < 0 ? TRUE : known(text.slice(amp + 1), type);
      if (rest === undefined) return undefined;
      return and([heldBy(org), rest]);
    }
    if (category.startsWith('type:')) {
      const t = category.slice(5);
      return type === undefined ? typeIn([t]) : type === t ? TRUE : FALSE;
    }
    if (category.startsWith('label:')) {
      // Built directly: a label's text is the patient's Consent's, never a query to parse.
      const text = category.slice('label:'.length);
      const bar = text.indexOf('|');
      return {
        kind: 'index',
        table: 'token',
        params: ['Resource._security'],
        where: [
          { op: 'eq', column: 'system', value: text.slice(0, bar) },
          { op: 'eq', column: 'code', value: text.slice(bar + 1) },
        ],
      };
    }
    const def = CATEGORIES[category];
    if (!def) return undefined;
    if (def['*'] !== undefined) return criteria('Resource', def['*']);
    if (type !== undefined) return def[type] === undefined ? FALSE : criteria(type, def[type]!);
    return or(Object.entries(def).map(([t, q]) => and([typeIn([t]), criteria(t, q)])));
  }

  return (category: string | null, type: string | undefined, unknown: Condition): Condition => {
    if (category === null) return TRUE;
    const key = `${category} ${type ?? '*'}`;
    if (!cache.has(key)) {
      let c: Condition | undefined;
      try {
        c = known(category, type);
      } catch {
        // Whatever a Consent names, it must not fail the caller's requests: unknown, failing closed.
        c = undefined;
      }
      if (c === undefined) return unknown;
      cache.set(key, c);
    }
    return cache.get(key)!;
  };
}
