import type { Logger } from 'pino';
import type { AccountDeps } from '../referral/account-deps.ts';
import type { AuthorizedStore } from '../../access/authorized-store.ts';
import type { ScryptParameters } from '../../auth/password/hashing.ts';
import type { Dispatch } from '../../fhir/rest/dispatch.ts';
import type { JobQueue } from '../../fhir/storage/job-queue.ts';
import type { PracticeConfig } from './config.ts';

/**
 * What the patient portal's operations are made with (wired in server/app.ts): the accounts'
 * dependencies (store, search, mailer, clock, publicBase, passwords, revokeTokens, storeAs) and
 * the portal's settings.
 */
export interface PracticeDeps extends AccountDeps {
  config: PracticeConfig;
  /** The store unrestricted, for the server's own reads and writes. */
  serverStore: () => AuthorizedStore;
  /** The server's routes, for a domain rule that runs the ordinary interaction (a correction request's transaction). */
  dispatch: Dispatch;
  /** The job queue (started) and the log, for the portal's periodic jobs (the medication reminders). */
  jobs?: { queue: JobQueue; logger: Logger };
  /**
   * The scrypt cost of password hashes (PASSWORD_SCRYPT_LOG_N): a registration keeps the chosen
   * password's hash until its link is confirmed. The default cost when not given.
   */
  scrypt?: ScryptParameters;
  /** The server's secrets the session codes' hashes are keyed with (SMART_COOKIE_KEYS); none: a key of this process. */
  codeSecrets?: string[];
}
