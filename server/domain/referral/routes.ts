import type { Route } from '../../fhir/rest/routes.ts';
import { catalogueRoutes } from './catalogue-routes.ts';
import { sendHl7, type SendHl7Deps } from './send-hl7.ts';

/** The referrals' operations (seed 003), each with its OperationDefinition in profiles/operations/. */
export function referralRoutes(deps: SendHl7Deps): Route[] {
  const send = sendHl7(deps);
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
  ];
}
