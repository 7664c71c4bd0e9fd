import type { Route } from '../../fhir/rest/routes.ts';
import { PORTAL_SEARCH_OPERATION, portalSearch } from './portal-search.ts';
import { PORTAL_RECENT_OPERATION, recentPatients } from './recent-patients.ts';
import type { HospitalDeps } from './routes.ts';

/** The portal's search operations (seed 002); see README.md for the screen → call table. */
export function searchRoutes(deps: HospitalDeps): Route[] {
  const recent = recentPatients(deps);
  return [
    ...(['GET', 'POST'] as const).map((method): Route => ({
      method,
      pattern: ['type', '$portal-search'],
      types: ['Patient'],
      interaction: '$portal-search',
      level: 'type',
      definition: PORTAL_SEARCH_OPERATION,
      handle: (ctx, req) => portalSearch(ctx, req),
    })),
    {
      method: 'GET',
      pattern: ['type', '$portal-recent'],
      types: ['Patient'],
      interaction: '$portal-recent',
      level: 'type',
      definition: PORTAL_RECENT_OPERATION,
      handle: (ctx, req) => recent(ctx, req),
    },
  ];
}
