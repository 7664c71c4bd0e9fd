/** The practice's booking rules for its webagenda (README "Patient portal › Appointments"). */
export interface AppointmentConfig {
  /** How many future appointments a patient may hold at one practice (PRACTICE_MAX_OPEN_APPOINTMENTS). */
  maxOpen: number;
  /** A patient cancels up to this long before the start, in seconds (PRACTICE_CANCEL_HOURS, in hours). */
  cancelNoticeSeconds: number;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, integer: boolean): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${name} must be a non-negative ${integer ? 'integer' : 'number'}, got '${raw}'`);
  }
  return n;
}

export function appointmentConfig(env: NodeJS.ProcessEnv): AppointmentConfig {
  return {
    maxOpen: number(env, 'PRACTICE_MAX_OPEN_APPOINTMENTS', 3, true),
    cancelNoticeSeconds: number(env, 'PRACTICE_CANCEL_HOURS', 24, false) * 3600,
  };
}
