import type { IndexResource } from '../../fhir/storage/resource-store.ts';
import { consentFacts } from './consent-rules.ts';
import { relationshipFacts } from './treatment-relationships.ts';

/**
 * The search indexer, plus the access facts each resource states: the store writes both in the
 * transaction that writes the resource, and `npm run reindex` rebuilds both.
 */
export function withAccessFacts(indexer: IndexResource): IndexResource {
  return (resource) => {
    const indexed = indexer(resource);
    const facts = [...relationshipFacts(resource), ...consentFacts(resource)];
    return facts.length ? { ...indexed, facts } : indexed;
  };
}
