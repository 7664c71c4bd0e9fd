import { envNumber } from '../../env-number.ts';
/** The practice's booking rules for its webagenda (README "Patient portal › Appointments"). */
export interface AppointmentConfig {
  /** How many future appointments a patient may hold at one practice (PRACTICE_MAX_OPEN_APPOINTMENTS). */
  maxOpen: number;
  /** A patient cancels up to this long before the start, in seconds (PRACTICE_CANCEL_HOURS, in hours). */
  cancelNoticeSeconds: number;
}

const number = (env: NodeJS.ProcessEnv, name: string, fallback: number, integer: boolean) =>
  envNumber(env, name, fallback, { integer });

export function appointmentConfig(env: NodeJS.ProcessEnv): AppointmentConfig {
  return {
    maxOpen: number(env, 'PRACTICE_MAX_OPEN_APPOINTMENTS', 3, true),
    cancelNoticeSeconds: number(env, 'PRACTICE_CANCEL_HOURS', 24, false) * 3600,
  };
}
