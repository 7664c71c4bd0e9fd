import { envNumber } from '../../env-number.ts';
import { DEFAULT_SCRYPT, type ScryptParameters } from './hashing.ts';

/** Password logins (server/auth/password/README.md); every time in seconds, fractions allowed. */
export interface PasswordConfig {
  /** The form on the SMART login page (PASSWORD_LOGIN=on|off). */
  enabled: boolean;
  /** Wrong passwords in a row that lock an account. */
  maxFailures: number;
  lockSeconds: number;
  codeSeconds: number;
  /** Wrong tries of one code before it is void. */
  codeAttempts: number;
  resetSeconds: number;
  /** At most one reset mail per account in this time (anyone may ask for any address). */
  resetCooldownSeconds: number;
  scrypt: ScryptParameters;
}

const number = (env: NodeJS.ProcessEnv, name: string, fallback: number, integer: boolean) =>
  envNumber(env, name, fallback, { integer, positive: true });

export function passwordConfig(env: NodeJS.ProcessEnv): PasswordConfig {
  const on = env.PASSWORD_LOGIN ?? 'on';
  if (!['on', 'off', ''].includes(on)) throw new Error(`PASSWORD_LOGIN must be 'on' or 'off', got '${on}'`);
  const logN = number(env, 'PASSWORD_SCRYPT_LOG_N', DEFAULT_SCRYPT.logN, true);
  // Below 2^14 scrypt is no longer costly to a guesser; above 2^20 one login takes a GiB.
  if (logN < 14 || logN > 20) throw new Error(`PASSWORD_SCRYPT_LOG_N must be 14..20, got ${logN}`);
  return {
    enabled: on !== 'off',
    maxFailures: number(env, 'PASSWORD_MAX_FAILURES', 5, true),
    lockSeconds: number(env, 'PASSWORD_LOCK_SECONDS', 15 * 60, false),
    codeSeconds: number(env, 'PASSWORD_CODE_SECONDS', 5 * 60, false),
    codeAttempts: number(env, 'PASSWORD_CODE_ATTEMPTS', 5, true),
    resetSeconds: number(env, 'PASSWORD_RESET_SECONDS', 60 * 60, false),
    resetCooldownSeconds: number(env, 'PASSWORD_RESET_COOLDOWN_SECONDS', 120, false),
    scrypt: { ...DEFAULT_SCRYPT, logN },
  };
}
