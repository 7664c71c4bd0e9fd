import { FhirError } from '../fhir/errors.ts';
import type { SearchEngine } from '../fhir/search/engine.ts';
import type { ResourceStore } from '../fhir/storage/resource-store.ts';
import type { Resource } from '../fhir/storage/types.ts';

const NS = 'http://fhir.nl/fhir/NamingSystem';
export const UZI_PERSON_SYSTEM = `${NS}/uzi-nr-pers`;
export const BSN_SYSTEM = `${NS}/bsn`;
export const URA_SYSTEM = `${NS}/ura`;
export const AGB_SYSTEM = `${NS}/agb-z`;
/** Our own caregiver registration number (Patiënt1Pro's ZRN); values are case-sensitive. */
export const ZRN_SYSTEM = 'https://zorgpoort.nl/fhir/NamingSystem/zrn';

/** Current resources of one type matching a search query, through the same index a search uses. */
export async function findResources(
  store: ResourceStore,
  search: SearchEngine,
  resourceType: string,
  query: string,
  limit: number,
): Promise<Resource[]> {
  const { condition } = search.criteria(resourceType, query, '');
  const rows = await store.search.page({ types: [{ resourceType, condition }], sort: [], limit });
  return rows.flatMap((r) => (r.content ? [JSON.parse(r.content) as Resource] : []));
}

/**
 * The id of the one current resource of `resourceType` with this identifier (`system|value`).
 * Two matches are a data error: refused, because guessing which person logged in is worse
 * than not logging them in.
 */
export async function findByIdentifier(
  store: ResourceStore,
  search: SearchEngine,
  resourceType: string,
  identifier: string,
): Promise<string | undefined> {
  const found = await findResources(
    store,
    search,
    resourceType,
    `identifier=${encodeURIComponent(identifier)}`,
    2,
  );
  if (found.length > 1) {
    throw new FhirError(403, `${identifier} belongs to more than one ${resourceType}; the login is refused`, {
      code: 'multiple-matches',
    });
  }
  return found[0]?.id;
}
