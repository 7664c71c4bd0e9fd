import type { Route } from '../../fhir/rest/routes.ts';
import { labSeries } from './lab-series.ts';
import { portalView } from './portal-view.ts';
import type { HospitalDeps } from './routes.ts';

const DEFINITION = 'https://zorgpoort.nl/fhir/OperationDefinition/';

/** The portal's screens of one patient's record and the lists (views.ts); see README.md. */
export function viewRoutes(_deps: HospitalDeps): Route[] {
  return [
    {
      method: 'GET',
      pattern: ['type', '$portal-view'],
      types: ['Patient'],
      interaction: '$portal-view',
      level: 'type',
      definition: `${DEFINITION}Patient-portal-view`,
      handle: (ctx, req) => portalView(ctx, req.query),
    },
    {
      method: 'GET',
      pattern: ['type', 'id', '$portal-view'],
      types: ['Patient'],
      interaction: '$portal-view',
      level: 'instance',
      definition: `${DEFINITION}Patient-portal-view`,
      handle: (ctx, req, m) => portalView(ctx, req.query, m.id),
    },
    {
      method: 'GET',
      pattern: ['type', 'id', '$portal-lab-series'],
      types: ['Patient'],
      interaction: '$portal-lab-series',
      level: 'instance',
      definition: `${DEFINITION}Patient-portal-lab-series`,
      handle: (ctx, req, m) => labSeries(ctx, m.id, req.query),
    },
  ];
}
