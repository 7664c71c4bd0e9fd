import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { JobDatabase, JobQueue } from '../fhir/storage/job-queue.ts';

/** One e-mail, as it waits in the outbox. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export const MAIL_QUEUE = 'mail';
/** Where a mail goes after its last try: kept for the operator, never dropped. */
export const UNDELIVERABLE_QUEUE = 'mail-undeliverable';

export interface Mailer {
  /** Puts a mail in the outbox, in the transaction of `db` (the change that causes it). */
  send(db: JobDatabase, mail: Mail): Promise<void>;
  start(): Promise<void>;
}

/**
 * Outgoing mail through a durable outbox: `send` enqueues (in the caller's transaction), a
 * worker delivers over SMTP (`SMTP_URL`, nodemailer) and retries with backoff for up to a day,
 * so a mail server that is down delays mail and loses none: a mail still refused after the last
 * try (about a day) moves to the queue `mail-undeliverable`, kept a year for the operator. Without `SMTP_URL` the mail is
 * written to the server log instead (development and demos; outside production the whole
 * message, in production only who and what about).
 */
export function createMailer(deps: {
  queue: JobQueue;
  smtpUrl?: string;
  from: string;
  logger: Logger;
  production: boolean;
  retryDelaySeconds?: number;
}): Mailer {
  const { queue, logger } = deps;
  const transport = deps.smtpUrl ? nodemailer.createTransport(deps.smtpUrl) : undefined;
  async function deliver(mail: Mail): Promise<void> {
    if (transport) {
      await transport.sendMail({ from: deps.from, ...mail });
      return;
    }
    logger.info(
      deps.production ? { to: mail.to, subject: mail.subject } : { mail },
      'mail (no SMTP_URL: written to the log, not sent)',
    );
  }
  return {
    async send(db, mail) {
      await queue.send(MAIL_QUEUE, mail, { db });
    },
    async start() {
      const policy = {
        retryLimit: 30,
        retryDelay: deps.retryDelaySeconds ?? 10,
        retryBackoff: true,
        retryDelayMax: 3600,
      };
      // Made once (a no-op on a queue that exists), then given this configuration's retries.
      await queue.createQueue(UNDELIVERABLE_QUEUE, { retentionSeconds: 365 * 86_400 });
      await queue.createQueue(MAIL_QUEUE, { ...policy, deadLetter: UNDELIVERABLE_QUEUE });
      await queue.updateQueue(MAIL_QUEUE, { ...policy, deadLetter: UNDELIVERABLE_QUEUE });
      await queue.work<Mail>(MAIL_QUEUE, { pollingIntervalSeconds: 1 }, async (jobs) => {
        for (const job of jobs) await deliver(job.data);
      });
    },
  };
}
