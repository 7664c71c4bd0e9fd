import { and, or } from '../../fhir/search/conditions.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { Condition } from '../../fhir/search/types.ts';
import type { PortalCriteria } from './search-criteria.ts';

/** The hospital's own patient numbers: `…/patient-number/<authority or MSH-4>` (mappers/README.md). */
export const PATIENT_NUMBER_SYSTEMS = 'https://zorgpoort.nl/fhir/NamingSystem/patient-number/';
export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';

const LIMITS = { defaultSearchCount: 1, maxSearchCount: 1 };

/** A value for a search parameter, with FHIR's search escapes (`\`, `,`, `$`, `|`). */
const escape = (value: string) => value.replace(/[\\,$|]/g, (c) => `\\${c}`);

/**
 * The portal's criteria as one condition on Patient, every criterion given ANDed (extra ones
 * narrow the search). Ordinary search parameters where they say what the form means, so it is
 * the search engine that compiles them, and the store that adds the caller's access criteria:
 *
 * - patient number: an identifier whose system starts with PATIENT_NUMBER_SYSTEMS and whose
 *   value is the number, exactly (never a BSN or another kind of number that happens to equal it);
 * - BSN: `identifier=<bsn system>|<bsn>`;
 * - name: a part (`:contains`, case and accents ignored) of the own name (nl-core's
 *   `humanname-own-name`, `own-name`); a name recorded without that extension is matched on its
 *   whole `family` instead (`family:contains` where `own-name:missing=true`);
 * - partner name: a part of nl-core's `humanname-partner-name` (`partner-name:contains`): it is
 *   only known where it was recorded as such;
 * - birthdate, gender: `birthdate=<date>`, `gender=<code>`;
 * - postcode: `address-postalcode`, a Dutch one as written with or without its space
 *   (`7513ER,7513 ER`); house number: `address-housenumber` (nl-core's houseNumber extension).
 */
export function portalCondition(search: SearchEngine, criteria: PortalCriteria, baseUrl: string): Condition {
  const where = (params: [string, string][]): Condition => {
    const plan = search.plan({ resourceType: 'Patient', params, strict: true, baseUrl, limits: LIMITS });
    return plan.types[0]!.condition;
  };
  const parts: Condition[] = [];
  if (criteria.patientNumber) {
    parts.push({
      kind: 'index',
      table: 'token',
      params: ['Patient.identifier'],
      where: [
        { op: 'eq', column: 'code', value: criteria.patientNumber },
        { op: 'prefix', column: 'system', value: PATIENT_NUMBER_SYSTEMS },
      ],
    });
  }
  const simple: [string, string][] = [];
  if (criteria.bsn) simple.push(['identifier', `${BSN_SYSTEM}|${criteria.bsn}`]);
  if (criteria.partnerName) simple.push(['partner-name:contains', escape(criteria.partnerName)]);
  if (criteria.birthdate) simple.push(['birthdate', criteria.birthdate]);
  if (criteria.gender) simple.push(['gender', criteria.gender]);
  if (criteria.houseNumber) simple.push(['address-housenumber', criteria.houseNumber]);
  if (criteria.postcode) {
    const dutch = /^(\d{4})([A-Z]{2})$/.exec(criteria.postcode);
    simple.push([
      'address-postalcode',
      dutch ? `${dutch[1]}${dutch[2]},${dutch[1]} ${dutch[2]}` : escape(criteria.postcode),
    ]);
  }
  if (simple.length) parts.push(where(simple));
  if (criteria.name) {
    const name = escape(criteria.name);
    parts.push(
      or([
        where([['own-name:contains', name]]),
        where([
          ['family:contains', name],
          ['own-name:missing', 'true'],
        ]),
      ]),
    );
  }
  return and(parts);
}
