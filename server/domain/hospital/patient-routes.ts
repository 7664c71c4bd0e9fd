import type { Route } from '../../fhir/rest/routes.ts';
import type { HospitalDeps } from './routes.ts';

/** The portal's patient operations (seed 002); see README.md for the screen → call table. */
export function patientRoutes(_deps: HospitalDeps): Route[] {
  return [];
}
