import { FhirError } from '../fhir/errors.ts';
import type { SearchEngine } from '../fhir/search/engine.ts';
import type { ResourceStore } from '../fhir/storage/resource-store.ts';

export const UZI_PERSON_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers';

/**
 * The id of the one current resource of `resourceType` with this identifier (`system|value`),
 * through the same token index a search uses. Two matches are a data error: refused, because
 * guessing which person logged in is worse than not logging them in.
 */
export async function findByIdentifier(
  store: ResourceStore,
  search: SearchEngine,
  resourceType: string,
  identifier: string,
): Promise<string | undefined> {
  const { condition } = search.criteria(resourceType, `identifier=${encodeURIComponent(identifier)}`, '');
  const rows = await store.search.page({ types: [{ resourceType, condition }], sort: [], limit: 2 });
  if (rows.length > 1) {
    throw new FhirError(403, `${identifier} belongs to more than one ${resourceType}; the login is refused`, {
      code: 'multiple-matches',
    });
  }
  return rows[0]?.id;
}
