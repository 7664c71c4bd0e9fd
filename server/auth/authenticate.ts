import type { TLSSocket } from 'node:tls';
import { FhirError } from '../fhir/errors.ts';
import type { ConformanceTokens } from './conformance-tokens.ts';
import { ANONYMOUS, type Principal } from './principal.ts';
import { uziCardOf } from './uzi/uzi-login.ts';

export interface AuthDeps {
  conformanceTokens?: ConformanceTokens;
  /** The id of the stored Practitioner with this UZI number (uzi-nr-pers), if any. */
  findPractitionerByUzi(uziNumber: string): Promise<string | undefined>;
}

export interface Credentials {
  authorization?: string;
  /** The TLS connection, when the server listens with TLS. */
  socket?: TLSSocket;
}

/**
 * Credentials → Principal. A client certificate (UZI card) wins; then a conformance token when
 * those are configured (401 for an unknown one). Without either the caller stays anonymous, as
 * every caller is until authentication is complete.
 */
export function createAuthenticator(deps: AuthDeps) {
  return async (credentials: Credentials): Promise<Principal> => {
    const card = credentials.socket ? uziCardOf(credentials.socket) : undefined;
    if (card) {
      const practitionerId = await deps.findPractitionerByUzi(card.uziNumber);
      if (!practitionerId) {
        // The card is genuine, but it names no one this server knows: refuse rather than
        // open an empty session.
        throw new FhirError(
          403,
          `UZI number ${card.uziNumber} is not registered here (no Practitioner with that uzi-nr-pers identifier)`,
          {
            code: 'forbidden',
          },
        );
      }
      return { kind: 'practitioner', practitionerId, card, via: 'uzi-certificate' };
    }
    const { authorization } = credentials;
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
