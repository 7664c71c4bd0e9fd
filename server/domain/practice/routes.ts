import type { Route } from '../../fhir/rest/routes.ts';
import { accountRoutes } from './account-routes.ts';
import type { PracticeDeps } from './deps.ts';

/** The patient portal's operations (seed 004), each with its OperationDefinition in profiles/operations/. */
export function practiceRoutes(deps: PracticeDeps): Route[] {
  if (!deps.config.enabled) return [];
  return [...accountRoutes(deps)];
}
