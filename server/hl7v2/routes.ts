import type { Route } from '../fhir/rest/routes.ts';
import { messageLog, type MessageLogDeps } from './message-log.ts';

const DEFINITION = 'https://zorgpoort.nl/fhir/OperationDefinition/';

/** The HL7 v2 message log's operations, for integration admins (message-log.ts). */
export function hl7LogRoutes(deps: MessageLogDeps): Route[] {
  const log = messageLog(deps);
  const route = (method: Route['method'], code: string, handle: Route['handle']): Route => ({
    method,
    pattern: [`$${code}`],
    interaction: `$${code}`,
    level: 'system',
    definition: `${DEFINITION}${code}`,
    handle,
  });
  return [
    route('GET', 'hl7-messages', (ctx, req) => log.list(ctx, req)),
    route('GET', 'hl7-message', (ctx, req) => log.one(ctx, req)),
    route('POST', 'hl7-requeue', (ctx, req) => log.requeue(ctx, req)),
    route('POST', 'hl7-cancel', (ctx, req) => log.cancel(ctx, req)),
  ];
}
