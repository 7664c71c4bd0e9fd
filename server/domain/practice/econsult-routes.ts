import type { Route } from '../../fhir/rest/routes.ts';
import type { PracticeDeps } from './deps.ts';
import { answerEconsult } from './econsult-answer.ts';
import { askEconsult } from './econsult-ask.ts';

const DEFINITION = 'https://zorgpoort.nl/fhir/OperationDefinition/';

/** eConsult (seed 004): the patient's question to their GP, and the GP's answer. */
export function econsultRoutes(deps: PracticeDeps): Route[] {
  const ask = askEconsult(deps);
  const answer = answerEconsult(deps);
  return [
    {
      method: 'POST',
      pattern: ['type', 'id', '$econsult'],
      types: ['Patient'],
      interaction: '$econsult',
      level: 'instance',
      definition: `${DEFINITION}Patient-econsult`,
      handle: (ctx, req, m) => ask(ctx, m.id, req),
    },
    {
      method: 'POST',
      pattern: ['type', 'id', '$answer'],
      types: ['Communication'],
      interaction: '$answer',
      level: 'instance',
      definition: `${DEFINITION}Communication-answer`,
      handle: (ctx, req, m) => answer(ctx, m.id, req),
    },
  ];
}
