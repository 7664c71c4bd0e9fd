import { appointmentConfig, type AppointmentConfig } from './appointment-config.ts';

/**
 * The GP practice's patient portal (server/domain/practice/README.md); every time in seconds.
 * Each setting is read from the environment here, so the server's Config holds one `practice` field.
 */
export interface PracticeConfig {
  /** Placeholder so the section exists from the start; the portal's settings follow. */
  enabled: boolean;
  /** The webagenda's booking rules (appointment-config.ts). */
  appointments: AppointmentConfig;
}

export function practiceConfig(env: NodeJS.ProcessEnv): PracticeConfig {
  const on = env.PRACTICE_PORTAL ?? 'on';
  if (!['on', 'off', ''].includes(on)) throw new Error(`PRACTICE_PORTAL must be 'on' or 'off', got '${on}'`);
  return { enabled: on !== 'off', appointments: appointmentConfig(env) };
}
