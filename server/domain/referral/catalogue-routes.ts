import type { Route } from '../../fhir/rest/routes.ts';
import { catalogue, CATALOGUE_OPERATION } from './catalogue.ts';

/** The care catalogue (seed 003): `GET|POST HealthcareService/$catalogue`. */
export function catalogueRoutes(): Route[] {
  return (['GET', 'POST'] as const).map((method): Route => ({
    method,
    pattern: ['type', '$catalogue'],
    types: ['HealthcareService'],
    interaction: '$catalogue',
    level: 'type',
    definition: CATALOGUE_OPERATION,
    handle: (ctx, req) => catalogue(ctx, req),
  }));
}
