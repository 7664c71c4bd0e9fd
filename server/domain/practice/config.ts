import { envNumber } from '../../env-number.ts';
import { appointmentConfig, type AppointmentConfig } from './appointment-config.ts';

/**
 * The GP practice's patient portal (server/domain/practice/README.md); every time in seconds.
 * Each setting is read from the environment here, so the server's Config holds one `practice` field.
 */
export interface PracticeConfig {
  /** The portal's operations and registration pages (PRACTICE_PORTAL=on|off). */
  enabled: boolean;
  /** How long a registration's confirmation link works (seed: "binnen 24 uur"). */
  confirmSeconds: number;
  /** How many registrations of one address may wait at once (each with its own link); a new one ends the oldest. */
  pendingPerAddress: number;
  /** At most one "someone tried to register with your address" mail per address in this time. */
  noticeCooldownSeconds: number;
  /** How long a session code works. */
  sessionCodeSeconds: number;
  /** Wrong tries that void a session code. */
  sessionCodeAttempts: number;
  /** Session codes an account may request per `sessionCodeWindowSeconds`; more: 429. */
  sessionCodeRequests: number;
  sessionCodeWindowSeconds: number;
  /** How long a service a session code opened stays open for that login session. */
  serviceOpenSeconds: number;
  /** The webagenda's booking rules (appointment-config.ts). */
  appointments: AppointmentConfig;
  /** Repeat prescriptions and eConsult (README "Repeat prescriptions", "eConsult"). */
  requests: PracticeRequestsConfig;
}

export interface PracticeRequestsConfig {
  /** A reminder goes this many days before a medication runs out (`PRACTICE_REMINDER_DAYS`, 7). */
  reminderDays: number;
  /**
   * How often the reminder job runs, in seconds (`PRACTICE_REMINDER_INTERVAL_SECONDS`, 3600);
   * 0: never by itself, only by `MedicationRequest/$send-reminders`.
   */
  reminderIntervalSeconds: number;
  /** The patient portal's address, named in the mails (`PRACTICE_PORTAL_URL`); none: not named. */
  portalUrl?: string;
  /** The longest eConsult question or answer, in characters (`PRACTICE_ECONSULT_MAX_CHARS`, 4000). */
  econsultMaxChars: number;
  /** Open eConsult questions a patient may have at once (`PRACTICE_ECONSULT_MAX_OPEN`, 3). */
  econsultMaxOpen: number;
  /** The longest note with a repeat request, in characters (`PRACTICE_REPEAT_NOTE_MAX_CHARS`, 500). */
  repeatNoteMaxChars: number;
}

const whole = (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number) =>
  envNumber(env, name, fallback, { integer: true, min });

const number = (env: NodeJS.ProcessEnv, name: string, fallback: number, integer: boolean) =>
  envNumber(env, name, fallback, { integer, positive: true });

export function practiceConfig(env: NodeJS.ProcessEnv): PracticeConfig {
  const on = env.PRACTICE_PORTAL ?? 'on';
  if (!['on', 'off', ''].includes(on)) throw new Error(`PRACTICE_PORTAL must be 'on' or 'off', got '${on}'`);
  const portalUrl = env.PRACTICE_PORTAL_URL?.trim();
  if (portalUrl && !/^https?:\/\/\S+$/.test(portalUrl)) {
    throw new Error(`PRACTICE_PORTAL_URL must be an http(s) URL, got '${portalUrl}'`);
  }
  return {
    enabled: on !== 'off',
    appointments: appointmentConfig(env),
    confirmSeconds: number(env, 'PRACTICE_CONFIRM_SECONDS', 24 * 3600, false),
    pendingPerAddress: number(env, 'PRACTICE_PENDING_PER_ADDRESS', 3, true),
    noticeCooldownSeconds: number(env, 'PRACTICE_NOTICE_COOLDOWN_SECONDS', 3600, false),
    sessionCodeSeconds: number(env, 'PRACTICE_SESSION_CODE_SECONDS', 300, false),
    sessionCodeAttempts: number(env, 'PRACTICE_SESSION_CODE_ATTEMPTS', 3, true),
    sessionCodeRequests: number(env, 'PRACTICE_SESSION_CODE_REQUESTS', 5, true),
    sessionCodeWindowSeconds: number(env, 'PRACTICE_SESSION_CODE_WINDOW_SECONDS', 600, false),
    serviceOpenSeconds: number(env, 'PRACTICE_SERVICE_OPEN_SECONDS', 1800, false),
    requests: {
      reminderDays: whole(env, 'PRACTICE_REMINDER_DAYS', 7, 0),
      reminderIntervalSeconds: whole(env, 'PRACTICE_REMINDER_INTERVAL_SECONDS', 3600, 0),
      ...(portalUrl ? { portalUrl } : {}),
      econsultMaxChars: whole(env, 'PRACTICE_ECONSULT_MAX_CHARS', 4000, 1),
      econsultMaxOpen: whole(env, 'PRACTICE_ECONSULT_MAX_OPEN', 3, 1),
      repeatNoteMaxChars: whole(env, 'PRACTICE_REPEAT_NOTE_MAX_CHARS', 500, 1),
    },
  };
}
