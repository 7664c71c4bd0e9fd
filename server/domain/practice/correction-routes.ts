import type { Route } from '../../fhir/rest/routes.ts';
import { correctionStatus } from './correction-status.ts';
import { correctionTransaction } from './correction-transaction.ts';
import { isCorrectionRequest } from './correction-request.ts';
import type { PracticeDeps } from './deps.ts';

/**
 * Correction requests from health apps (MedMij PatientCorrections 1.0): the transaction at the
 * base that carries one (only those: every other Bundle takes the ordinary route), and the
 * practice's `Task/[id]/$correction-status`.
 */
export function correctionRoutes(deps: PracticeDeps): Route[] {
  const transaction = correctionTransaction(deps);
  const status = correctionStatus(deps);
  return [
    {
      method: 'POST',
      pattern: [],
      interaction: ['transaction'],
      level: 'system',
      claims: (req) => isCorrectionRequest(req.body),
      handle: (ctx, req) => transaction(ctx, req),
    },
    {
      method: 'POST',
      pattern: ['type', 'id', '$correction-status'],
      types: ['Task'],
      interaction: '$correction-status',
      level: 'instance',
      definition: 'https://zorgpoort.nl/fhir/OperationDefinition/Task-correction-status',
      handle: (ctx, req, m) => status(ctx, m.id, req),
    },
  ];
}
