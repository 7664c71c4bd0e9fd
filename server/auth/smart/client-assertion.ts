import { errors } from 'oidc-provider';

/**
 * Allowed clock difference between a client and this server, in seconds, for every JWT
 * oidc-provider checks (its own default, set explicitly because the assertion check uses it).
 */
export const CLOCK_TOLERANCE_SECONDS = 15;

/** SMART Backend Services: a client assertion's `exp` is at most five minutes ahead. */
export const MAX_ASSERTION_SECONDS = 300;

/**
 * oidc-provider's `assertJwtClientAuthClaimsAndHeader`: runs for every `private_key_jwt`
 * assertion once its signature, `iss`, `aud` and expiry have been verified, before its `jti`
 * is recorded. oidc-provider accepts any future `exp`; SMART (Backend Services, and asymmetric
 * app authentication) caps it, so that a leaked or pre-signed assertion is not good for long.
 */
export function assertClientAssertionClaims(_ctx: unknown, claims: { exp?: unknown }): void {
  // oidc-provider has already refused an assertion without a numeric exp.
  const exp = typeof claims.exp === 'number' ? claims.exp : 0;
  const ahead = exp - Math.floor(Date.now() / 1000);
  if (ahead > MAX_ASSERTION_SECONDS + CLOCK_TOLERANCE_SECONDS) {
    const why = `client_assertion exp is ${ahead} seconds in the future; at most ${MAX_ASSERTION_SECONDS} is allowed`;
    // InvalidClientAuth shows a fixed description ("client authentication failed"); this
    // reason is safe to show: only the holder of the client's key gets this far.
    throw Object.assign(new errors.InvalidClientAuth(why), { error_description: why });
  }
}
