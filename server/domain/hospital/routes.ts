import type { Route } from '../../fhir/rest/routes.ts';
import type { AccessPolicy } from '../../access/policy.ts';
import type { AuthorizedStore } from '../../access/authorized-store.ts';
import type { Principal } from '../../auth/principal.ts';
import { searchRoutes } from './search-routes.ts';
import { patientRoutes } from './patient-routes.ts';
import { viewRoutes } from './view-routes.ts';

export interface HospitalDeps {
  /** The gate for another principal (a patient's break-the-glass hint judges the caller as themself). */
  accessFor: (principal: Principal) => Promise<AccessPolicy>;
  /**
   * The store with the server's rights and the access log settled before it is read: for what
   * an operation reads on the caller's behalf by its own rule (the caller's own entries in the
   * access log, for the recent patients), never to answer with what the caller may not see.
   */
  serverStore: () => AuthorizedStore;
}

/**
 * The hospital caregiver portal's operations (seed 002), each with its OperationDefinition in
 * profiles/operations/: patient search and lists (search-routes.ts), patient information, death
 * report and access log (patient-routes.ts), dossier and results views (view-routes.ts).
 */
export function hospitalRoutes(deps: HospitalDeps): Route[] {
  return [...searchRoutes(deps), ...patientRoutes(deps), ...viewRoutes(deps)];
}
