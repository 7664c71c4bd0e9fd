import { informational } from '../outcome.ts';
import type { Condition } from '../search/types.ts';
import type { Resource } from '../storage/types.ts';
import { deleteById } from './delete.ts';
import type { FhirResult, RestContext } from './types.ts';

const BATCH = 500;

/**
 * `POST Patient/[id]/$purge` (Interoplab's operation, used by the Nictiz qualification load
 * scripts to start from a clean patient): deletes the patient and every resource in their
 * compartment, in one transaction. Deletion is the normal versioned delete, so the history
 * and any audit trail stay; re-loading the same ids afterwards creates new versions. It is
 * only routed when the conformance configuration is on.
 */
export async function purge(ctx: RestContext, id: string): Promise<FhirResult> {
  // The access log stays: it is never deleted, and the patient's entries in it are theirs.
  const members = [...(ctx.search.compartmentMembers('Patient') ?? []), 'Patient'].filter(
    (type) => type !== 'AuditEvent',
  );
  const inCompartment: Condition = { kind: 'compartment', compartmentType: 'Patient', compartmentId: id };
  return ctx.store.transaction(async (store) => {
    const tx = { ...ctx, store };
    let deleted = 0;
    for (;;) {
      // Deleted resources leave the search, so each round sees only what is left.
      const rows = await store.search.page({
        types: members.map((resourceType) => ({
          resourceType,
          condition: inCompartment,
        })),
        sort: [],
        limit: BATCH,
      });
      for (const row of rows) await deleteById(tx, row.resourceType, row.id, {});
      deleted += rows.length;
      if (rows.length < BATCH) break;
    }
    return {
      status: 200,
      headers: {},
      resource: informational(`Purged Patient/${id}: ${deleted} resource(s) deleted`) as unknown as Resource,
    };
  });
}
