import type { AccessPolicy, Resource } from '../access/policy.ts';
import type { AuthorizedStore } from '../access/authorized-store.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import type { Principal } from '../auth/principal.ts';
import type { StoredVersion } from '../fhir/storage/types.ts';

/**
 * The SMART login's patient picker and launch check, through the gate: a person picks only
 * patients they may see, and the names shown are a disclosure logged like a search.
 */
export function patientPicker(deps: {
  accessFor: (who: Principal) => Promise<AccessPolicy>;
  storeFor: (access: AccessPolicy) => AuthorizedStore;
  read: (type: string, id: string) => Promise<StoredVersion | undefined>;
  auditTrailFor: (who: Exclude<Principal, { kind: 'anonymous' }>, access: AccessPolicy) => AuditTrail;
}) {
  return {
    visiblePatients: async (who: Principal, limit: number): Promise<Resource[]> => {
      const access = await deps.accessFor(who);
      if (!access.allows('s', 'Patient')) return [];
      const rows = await deps.storeFor(access).search.page({
        types: [{ resourceType: 'Patient', condition: { kind: 'true' } }],
        sort: [],
        limit,
      });
      const found = rows.flatMap((r) => (r.content ? [JSON.parse(r.content) as Resource] : []));
      if (who.kind !== 'anonymous') {
        const trail = deps.auditTrailFor(who, access);
        trail.record({
          interaction: 'search-type',
          resourceType: 'Patient',
          query: `SMART patient picker (_count=${limit})`,
          status: 200,
          resources: found,
        });
        await trail.commit();
      }
      return found;
    },
    mayLaunch: async (who: Principal, patientId: string): Promise<boolean> => {
      const access = await deps.accessFor(who);
      if (!access.allows('r', 'Patient')) return false;
      const stored = await deps.read('Patient', patientId);
      return Boolean(stored?.content && access.canSee(JSON.parse(stored.content) as Resource));
    },
  };
}
