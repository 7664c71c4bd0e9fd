import type { Route } from '../../fhir/rest/routes.ts';
import { catalogueRoutes } from './catalogue-routes.ts';
import { refer, type ReferDeps } from './refer.ts';
import { sendHl7 } from './send-hl7.ts';

/** The referrals' operations (seed 003), each with its OperationDefinition in profiles/operations/. */
export function referralRoutes(deps: ReferDeps): Route[] {
  const send = sendHl7(deps);
  const referral = refer(deps);
  return [
    ...catalogueRoutes(),
    {
      method: 'POST',
      pattern: ['type', 'id', '$send-hl7'],
      types: ['ServiceRequest'],
      interaction: '$send-hl7',
      level: 'instance',
      definition: 'https://zorgpoort.nl/fhir/OperationDefinition/ServiceRequest-send-hl7',
      handle: (ctx, req, m) => send(ctx, m.id, req),
    },
    {
      method: 'POST',
      pattern: ['type', 'id', '$refer'],
      types: ['HealthcareService'],
      interaction: '$refer',
      level: 'instance',
      definition: 'https://zorgpoort.nl/fhir/OperationDefinition/HealthcareService-refer',
      handle: (ctx, req, m) => referral(ctx, m.id, req),
    },
  ];
}
