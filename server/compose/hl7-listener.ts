import type { Logger } from 'pino';
import { createHl7Applier, type Hl7ApplyDeps } from '../hl7v2/apply.ts';
import type { Hl7Config } from '../hl7v2/config.ts';
import { createMllpListener, mllpTls, type MllpListener } from '../hl7v2/listener.ts';
import type { Hl7Messages } from '../fhir/storage/hl7-messages.ts';

/**
 * The MLLP listener when HL7_MLLP_PORT is set (none otherwise): each message applied as its
 * sender's registered backend client, through the same dispatcher and gate as REST.
 */
export function createHl7Listener(
  deps: Hl7ApplyDeps & { config: Hl7Config | undefined; messages: () => Hl7Messages; logger: Logger },
): MllpListener | undefined {
  const { config } = deps;
  if (!config) return undefined;
  const applier = createHl7Applier(deps);
  return createMllpListener({
    port: config.port,
    host: config.host,
    maxFrameBytes: config.maxFrameBytes,
    maxConnections: config.maxConnections,
    idleSeconds: config.idleSeconds,
    senders: config.senders,
    ...(config.tls ? { tls: mllpTls(config.tls) } : {}),
    messages: deps.messages,
    principalOf: applier.principalOf,
    apply: applier.apply,
    logger: deps.logger,
  });
}
