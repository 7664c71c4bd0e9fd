import type { Logger } from 'pino';
import type { JobDatabase, JobQueue } from '../fhir/storage/job-queue.ts';

/** One text message, as it waits in the outbox. */
export interface Sms {
  /** The mobile number, as the person gave it (`06…` or `+316…`). */
  to: string;
  text: string;
}

export const SMS_QUEUE = 'sms';
/** Where a text goes after its last try: kept for the operator a short while (`SMS_KEPT_SECONDS`). */
export const SMS_UNDELIVERABLE_QUEUE = 'sms-undeliverable';
/**
 * How long the queue keeps a text once sent (or failed for good), and an undeliverable one. A
 * text may hold a one-time login code in the clear (the gateway must get it so); the code works
 * minutes only, but a database copy or backup should not collect them, so a day is enough for
 * the operator to see why texts fail, not the 7 and 30 days mail keeps.
 */
export const SMS_KEPT_SECONDS = 86_400;

export interface SmsSender {
  /** Puts a text in the outbox, in the transaction of `db` (the change that causes it). */
  send(db: JobDatabase, sms: Sms): Promise<void>;
  start(): Promise<void>;
}

/**
 * Outgoing text messages through a durable outbox, as mail (mail.ts). The gateway is pluggable:
 * with `SMS_WEBHOOK_URL` each text is POSTed there as JSON `{to, text}` (an SMS provider's HTTP
 * API, or an adapter in front of one; a non-2xx answer is retried with backoff for about an hour
 * — a code older than that is useless). Without it the text goes to the server log (development
 * and demos; in production only the number's last digits, never the text, which may hold a code).
 */
export function createSmsSender(deps: {
  queue: JobQueue;
  webhookUrl?: string;
  /** Sent as `Authorization` to the webhook, when set (`SMS_WEBHOOK_AUTHORIZATION`). */
  authorization?: string;
  logger: Logger;
  production: boolean;
  retryDelaySeconds?: number;
}): SmsSender {
  const { queue, logger } = deps;
  async function deliver(sms: Sms): Promise<void> {
    if (deps.webhookUrl) {
      const response = await fetch(deps.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(deps.authorization ? { authorization: deps.authorization } : {}),
        },
        body: JSON.stringify(sms),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
      return;
    }
    logger.info(
      deps.production ? { to: `…${sms.to.slice(-3)}` } : { sms },
      'sms (no SMS_WEBHOOK_URL: written to the log, not sent)',
    );
  }
  return {
    async send(db, sms) {
      await queue.send(SMS_QUEUE, sms, { db });
    },
    async start() {
      const policy = {
        retryLimit: 10,
        retryDelay: deps.retryDelaySeconds ?? 5,
        retryBackoff: true,
        retryDelayMax: 600,
      };
      const kept = { retentionSeconds: SMS_KEPT_SECONDS, deleteAfterSeconds: SMS_KEPT_SECONDS };
      const own = { ...policy, deleteAfterSeconds: SMS_KEPT_SECONDS, deadLetter: SMS_UNDELIVERABLE_QUEUE };
      // Created, then updated: a queue made by an older version keeps its options otherwise.
      await queue.createQueue(SMS_UNDELIVERABLE_QUEUE, kept);
      await queue.updateQueue(SMS_UNDELIVERABLE_QUEUE, kept);
      await queue.createQueue(SMS_QUEUE, own);
      await queue.updateQueue(SMS_QUEUE, own);
      await queue.work<Sms>(SMS_QUEUE, { pollingIntervalSeconds: 1 }, async (jobs) => {
        for (const job of jobs) await deliver(job.data);
      });
    },
  };
}
