import type { Route } from '../../fhir/rest/routes.ts';
import { accountRoutes } from './account-routes.ts';
import { appointmentRoutes } from './appointment-routes.ts';
import { correctionRoutes } from './correction-routes.ts';
import type { PracticeDeps } from './deps.ts';
import { econsultRoutes } from './econsult-routes.ts';
import { prescriptionRoutes } from './prescription-routes.ts';

/** The patient portal's operations (seed 004), each with its OperationDefinition in profiles/operations/. */
export function practiceRoutes(deps: PracticeDeps): Route[] {
  if (!deps.config.enabled) return [];
  return [
    ...accountRoutes(deps),
    ...correctionRoutes(deps),
    ...prescriptionRoutes(deps),
    ...econsultRoutes(deps),
    ...appointmentRoutes(deps),
  ];
}
