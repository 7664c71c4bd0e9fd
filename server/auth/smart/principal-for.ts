import type { BearerLookup } from '../../fhir/storage/auth/bearer-lookup.ts';
import type { Principal } from '../principal.ts';
import type { PersonResolver } from '../resolve-person.ts';
import type { LaunchContext } from './provider.ts';

/**
 * A SMART access token → the principal it speaks for, or undefined when the token is unknown,
 * expired, revoked, for another audience, its grant is gone or its client has been revoked.
 * Tokens are opaque and stored, so revocation takes effect on the next request on every node.
 */
export function createPrincipalFor(deps: {
  lookup: BearerLookup;
  persons: PersonResolver;
  fhirBase: string;
}) {
  const { lookup, persons, fhirBase } = deps;
  return async (token: string): Promise<Principal | undefined> => {
    // Opaque token values are 43 url-safe characters; anything else cannot be ours.
    if (!/^[A-Za-z0-9_-]{20,128}$/.test(token)) return undefined;
    const found = await lookup(token);
    if (!found) return undefined;
    const { payload, clientId } = found;
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.includes(fhirBase)) return undefined;
    const scope = payload.scope ?? '';
    if (found.model === 'ClientCredentials') {
      return {
        kind: 'system',
        clientId,
        ...(found.organizationId ? { organizationId: found.organizationId } : {}),
        ...(found.trusted ? { trusted: true } : {}),
        via: 'smart-backend',
        smart: { clientId, scope },
      };
    }
    if (!payload.accountId || !payload.grantId || !found.grantLive) return undefined;
    const context = (payload.extra ?? {}) as LaunchContext;
    let person;
    try {
      // The grant is the login session: a portal account's session codes are bound to it.
      person = await persons.fromReference(payload.accountId, 'smart', context.organization, payload.grantId);
    } catch {
      return undefined;
    }
    const patientId = context.patient ?? (person.kind === 'patient' ? person.patientId : undefined);
    return {
      ...person,
      smart: {
        clientId,
        scope,
        ...(patientId ? { patientId } : {}),
        ...(context.encounter ? { encounterId: context.encounter } : {}),
      },
    };
  };
}
