import type { Logger } from 'pino';
import { decodeMessage, Hl7 } from '../../mappers/index.ts';
import type { Hl7Messages } from '../fhir/storage/hl7-messages.ts';
import type { Hl7Outbox, OutboxMessage } from '../fhir/storage/hl7-outbox.ts';
import { sendOverMllp } from './mllp-client.ts';
import type { Hl7OutboundConfig } from './outbound-config.ts';

export interface OutboxDeps {
  outbox: () => Hl7Outbox;
  messages: () => Hl7Messages;
  config: Hl7OutboundConfig;
  logger: Logger;
  /** How often a node looks for due messages when nobody woke it. */
  pollMs?: number;
  /**
   * After a message is acknowledged (`AA`/`CA`) and marked sent: what follows from it elsewhere
   * (a referral's Task to `received`). A failure there is logged; the message stays sent.
   */
  onAccepted?: (m: OutboxMessage) => Promise<void>;
}

export type Hl7OutboxSender = ReturnType<typeof createOutboxSender>;

/**
 * Delivers the outbox (the message log's `out` rows): each due message over MLLP to its
 * destination, then by the ACK: `AA`/`CA` sent; `AE`/`AR` (the receiver will not take it)
 * refused, kept for an integration admin to look at and requeue; no answer, a refused
 * connection or an ACK for another message: tried again later, waiting twice as long each time
 * (up to HL7_OUTBOUND_RETRY_MAX_SECONDS), for as long as it takes. A destination's next message
 * waits until the one before it is delivered or refused: receivers apply in arrival order.
 */
export function createOutboxSender(deps: OutboxDeps) {
  const { config, logger } = deps;
  const leaseSeconds = Math.ceil(config.ackTimeoutMs / 1000) + 30;
  let timer: NodeJS.Timeout | undefined;
  let upkeep: NodeJS.Timeout | undefined;
  let first: NodeJS.Timeout | undefined;
  let upkeeping: Promise<void> | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let lastFailure = 0;
  let stopped = true;

  async function deliver(m: OutboxMessage): Promise<void> {
    const outbox = deps.outbox();
    const where = { id: m.id, controlId: m.controlId, destination: m.destination, attempt: m.attempt };
    const retry = async (reason: string) => {
      const delay = Math.min(config.retrySeconds * 2 ** (m.attempt - 1), config.retryMaxSeconds);
      await outbox.retryLater(m, reason, delay);
      logger.warn(
        { ...where, reason, retryInSeconds: delay },
        'HL7 v2 message not delivered; tried again later',
      );
    };
    const destination = config.destinations.get(m.destination);
    if (!destination)
      return retry(`no destination is configured for AGB ${m.destination} (HL7_DESTINATIONS)`);
    let ackText: string;
    try {
      const raw = await sendOverMllp(destination.endpoint, m.raw, config.ackTimeoutMs);
      ackText = decodeMessage(raw).text;
    } catch (err) {
      return retry((err as Error).message);
    }
    let code: string;
    let about: string;
    let reason: string;
    try {
      const ack = Hl7.parse(ackText);
      code = ack.value('MSA', 1).toUpperCase();
      about = ack.value('MSA', 2);
      reason = [ack.value('MSA', 3), ack.value('ERR', 3, 2) || ack.value('ERR', 1, 4, 2)]
        .filter(Boolean)
        .join('; ');
    } catch {
      return retry('the answer is no HL7 ACK');
    }
    if (about !== m.controlId)
      return retry(`the ACK is for message ${about || '(none)'}, not ${m.controlId}`);
    if (code === 'AA' || code === 'CA') {
      await outbox.sent(m, ackText);
      logger.info({ ...where, ack: code }, 'HL7 v2 message delivered');
      await deps
        .onAccepted?.(m)
        .catch((err: unknown) => logger.error({ err, ...where }, 'after an accepted HL7 v2 message'));
    } else if (code === 'AE' || code === 'AR' || code === 'CE' || code === 'CR') {
      const error = `${code}: ${reason || 'the receiver gave no reason'}`;
      await outbox.refused(m, ackText, error);
      // Not the reason's text in the log line: it may quote the message.
      logger.error(
        { ...where, ack: code },
        'HL7 v2 message refused by its receiver; requeue it after the cause is fixed',
      );
    } else {
      return retry(`the ACK's MSA-1 '${code}' is no acknowledgement code`);
    }
  }

  /** Sends what is due until nothing is; a wake-up meanwhile makes it look once more. */
  async function drain(): Promise<void> {
    do {
      again = false;
      for (;;) {
        if (stopped) return;
        const next = await deps.outbox().claim([...config.destinations.keys()], leaseSeconds);
        if (!next) break;
        await deliver(next);
      }
    } while (again && !stopped);
  }

  function run(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = drain()
      .catch((err: unknown) => {
        // The database away: once a minute in the log, not once a poll.
        if (Date.now() - lastFailure < 60_000) return;
        lastFailure = Date.now();
        logger.error({ err }, 'HL7 v2 outbox');
      })
      .finally(() => (running = undefined));
    return running;
  }

  return {
    /** Looks for due messages now (after a commit that queued one). */
    wake(): void {
      if (!stopped) void run();
    },
    start(): void {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(() => void run(), deps.pollMs ?? 1000);
      timer.unref();
      // A minute after the start and then each hour: the log's counts by status (the figure to
      // alert on: queued and rejected messages waiting), and what is past its retention deleted.
      first = setTimeout(() => void hourly(), 60_000);
      first.unref();
      upkeep = setInterval(() => void hourly(), 3_600_000);
      upkeep.unref();
      void run();
    },
    /**
     * The message log's upkeep, for both directions: what is past HL7_MESSAGE_RETENTION_DAYS
     * deleted, the counts by status logged. Run a minute after the start and then hourly.
     */
    upkeep: hourly,
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      clearInterval(upkeep);
      clearTimeout(first);
      // A send in flight may wait for its ACK; past a few seconds its lease brings it back to
      // the outbox (the receiver knows the control id if it arrived).
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([running, upkeeping]),
        new Promise((resolve) => (timeout = setTimeout(resolve, 5_000))),
      ]);
      clearTimeout(timeout);
    },
  };

  function hourly(): Promise<void> {
    upkeeping ??= upkeep_().finally(() => (upkeeping = undefined));
    return upkeeping;
  }

  async function upkeep_(): Promise<void> {
    try {
      const messages = deps.messages();
      const deleted = await messages.purgeOlderThan(config.retentionDays);
      logger.info({ counts: await messages.counts(), deleted }, 'HL7 v2 messages by direction and status');
    } catch (err) {
      logger.warn({ err }, 'HL7 v2 message log upkeep failed');
    }
  }
}
