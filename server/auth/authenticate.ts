import { FhirError } from '../fhir/errors.ts';
import type { ConformanceTokens } from './conformance-tokens.ts';
import { ANONYMOUS, type Principal } from './principal.ts';

/**
 * Authorization header → Principal. With conformance tokens configured, a Bearer token must be
 * one of them (401 otherwise); without a token the caller stays anonymous, as every caller is
 * until authentication is built.
 */
export function createAuthenticator(deps: { conformanceTokens?: ConformanceTokens }) {
  return (authorization: string | undefined): Principal => {
    if (authorization === undefined || !deps.conformanceTokens) return ANONYMOUS;
    const principal = deps.conformanceTokens.principal(authorization);
    if (!principal) {
      throw new FhirError(401, 'The access token is not valid', {
        code: 'login',
        headers: { 'WWW-Authenticate': 'Bearer realm="zorgpoort", error="invalid_token"' },
      });
    }
    return principal;
  };
}
