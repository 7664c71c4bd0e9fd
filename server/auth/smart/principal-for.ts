import type Provider from 'oidc-provider';
import type { ClientStore } from '../../fhir/storage/auth/client-store.ts';
import type { Principal } from '../principal.ts';
import type { PersonResolver } from '../resolve-person.ts';
import type { LaunchContext } from './provider.ts';

/**
 * A SMART access token → the principal it speaks for, or undefined when the token is unknown,
 * expired, revoked, for another audience, or its client has been revoked. Tokens are opaque
 * and stored, so revocation takes effect on the next request on every node.
 */
export function createPrincipalFor(deps: {
  provider: Provider;
  clients: ClientStore;
  persons: PersonResolver;
  fhirBase: string;
}) {
  const { provider, clients, persons, fhirBase } = deps;
  return async (token: string): Promise<Principal | undefined> => {
    // Opaque token values are 43 url-safe characters; anything else cannot be ours.
    if (!/^[A-Za-z0-9_-]{20,128}$/.test(token)) return undefined;
    const backend = await provider.ClientCredentials.find(token);
    const at = backend ?? (await provider.AccessToken.find(token));
    if (!at || at.isExpired) return undefined;
    const audiences = Array.isArray(at.aud) ? at.aud : [at.aud];
    if (!audiences.includes(fhirBase)) return undefined;
    const client = await clients.active(at.clientId);
    if (!client) return undefined;
    const scope = at.scope ?? '';
    if (backend) {
      return {
        kind: 'system',
        clientId: client.clientId,
        ...(client.organizationId ? { organizationId: client.organizationId } : {}),
        via: 'smart-backend',
        smart: { clientId: client.clientId, scope },
      };
    }
    if (!at.accountId || !at.grantId || !(await provider.Grant.find(at.grantId))) return undefined;
    let person;
    try {
      person = await persons.fromReference(at.accountId, 'smart');
    } catch {
      return undefined;
    }
    const context = (at.extra ?? {}) as LaunchContext;
    const patientId = context.patient ?? (person.kind === 'patient' ? person.patientId : undefined);
    return {
      ...person,
      smart: {
        clientId: client.clientId,
        scope,
        ...(patientId ? { patientId } : {}),
        ...(context.encounter ? { encounterId: context.encounter } : {}),
      },
    };
  };
}
