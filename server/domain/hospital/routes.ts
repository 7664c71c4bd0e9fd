import type { Route } from '../../fhir/rest/routes.ts';
import type { AccessPolicy } from '../../access/policy.ts';
import type { Principal } from '../../auth/principal.ts';
import { searchRoutes } from './search-routes.ts';
import { patientRoutes } from './patient-routes.ts';
import { viewRoutes } from './view-routes.ts';

export interface HospitalDeps {
  /** The gate for another principal (a patient's break-the-glass hint judges the caller as themself). */
  accessFor: (principal: Principal) => Promise<AccessPolicy>;
}

/**
 * The hospital caregiver portal's operations (seed 002), each with its OperationDefinition in
 * profiles/operations/: patient search and lists (search-routes.ts), patient information, death
 * report and access log (patient-routes.ts), dossier and results views (view-routes.ts).
 */
export function hospitalRoutes(deps: HospitalDeps): Route[] {
  return [...searchRoutes(deps), ...patientRoutes(deps), ...viewRoutes(deps)];
}
