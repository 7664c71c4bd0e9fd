import type { Route } from '../../fhir/rest/routes.ts';
import type { HospitalDeps } from './routes.ts';

/** The portal's view operations (seed 002); see README.md for the screen → call table. */
export function viewRoutes(_deps: HospitalDeps): Route[] {
  return [];
}
