import type { TLSSocket } from 'node:tls';
import { FhirError } from '../fhir/errors.ts';
import type { ConformanceTokens } from './conformance-tokens.ts';
import { ANONYMOUS, type Principal } from './principal.ts';
import type { PersonResolver } from './resolve-person.ts';
import { uziCardOf } from './uzi/uzi-login.ts';

export interface AuthDeps {
  persons: PersonResolver;
  conformanceTokens?: ConformanceTokens;
  /** A SMART access token → its principal; undefined for a token that is unknown, expired or revoked. */
  bearer?: (token: string) => Promise<Principal | undefined>;
}

export interface Credentials {
  authorization?: string;
  /** The TLS connection, when the server listens with TLS. */
  socket?: TLSSocket;
  /** The caller's network address (for the access log of a refusal). */
  address?: string;
}

export const WWW_AUTHENTICATE = 'Bearer realm="zorgpoort"';

/** 401 for a caller without credentials, telling them how to authenticate (RFC 6750 §3). */
export function credentialsRequired(): FhirError {
  return new FhirError(
    401,
    'Authentication is required: a Bearer token (SMART on FHIR) or a UZI-pas client certificate',
    {
      code: 'login',
      headers: { 'WWW-Authenticate': WWW_AUTHENTICATE },
    },
  );
}

function invalidToken(): never {
  throw new FhirError(401, 'The access token is not valid (unknown, expired or revoked)', {
    code: 'login',
    headers: { 'WWW-Authenticate': `${WWW_AUTHENTICATE}, error="invalid_token"` },
  });
}

/**
 * Credentials → Principal. A bearer token (a conformance token when those are configured,
 * else a SMART access token) wins; then a client certificate (UZI card). Without either the
 * caller is anonymous, which only discovery and login endpoints accept.
 */
export function createAuthenticator(deps: AuthDeps) {
  return async (credentials: Credentials): Promise<Principal> => {
    const { authorization } = credentials;
    // A token wins over a card on the same connection: the token is what narrows (an app on a
    // workstation whose card reader presents the card to every request).
    if (authorization === undefined) {
      const card = credentials.socket ? uziCardOf(credentials.socket) : undefined;
      if (!card) return ANONYMOUS;
      return deps.persons.fromIdentity(
        { kind: 'caregiver', uziNumber: card.uziNumber, ura: card.subscriber, roleCode: card.roleCode, card },
        'uzi-certificate',
      );
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) {
      throw new FhirError(401, 'Authorization must be a Bearer token', {
        code: 'login',
        headers: { 'WWW-Authenticate': `${WWW_AUTHENTICATE}, error="invalid_request"` },
      });
    }
    const fixed = deps.conformanceTokens?.principal(authorization);
    if (fixed) return fixed;
    const principal = deps.bearer ? await deps.bearer(m[1]!) : undefined;
    return principal ?? invalidToken();
  };
}
