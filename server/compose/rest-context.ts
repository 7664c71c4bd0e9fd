import { TLSSocket } from 'node:tls';
import type express from 'express';
import type { AuthorizedStore } from '../access/authorized-store.ts';
import type { RequestOrigin } from '../access/access-for.ts';
import type { AccessPolicy } from '../access/policy.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import { credentialsRequired, type Credentials } from '../auth/authenticate.ts';
import type { Principal } from '../auth/principal.ts';
import type { RestContext } from '../fhir/rest/types.ts';

/** Only discovery answers a caller without credentials (login endpoints live outside the FHIR API). */
function isDiscovery(req: express.Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && req.path.replace(/\/+$/, '') === '/metadata';
}

/**
 * One FHIR request's context: who calls (authenticated again on every request), the policy the
 * gate gives them now, their access log, and the store that holds both.
 */
export function restContext(deps: {
  authenticate: (credentials: Credentials) => Promise<Principal>;
  accessFor: (principal: Principal, origin?: RequestOrigin) => Promise<AccessPolicy>;
  auditTrailFor: (
    principal: Exclude<Principal, { kind: 'anonymous' }>,
    access: AccessPolicy,
    clientAddress?: string,
  ) => AuditTrail;
  storeFor: (access: AccessPolicy, audit?: AuditTrail) => AuthorizedStore;
  base: Pick<RestContext, 'search' | 'validator' | 'limits'>;
}) {
  return async (req: express.Request): Promise<RestContext> => {
    const socket = req.socket instanceof TLSSocket ? req.socket : undefined;
    const principal = await deps.authenticate({
      authorization: req.headers.authorization,
      socket,
      ...(req.socket.remoteAddress ? { address: req.socket.remoteAddress } : {}),
    });
    if (principal.kind === 'anonymous' && !isDiscovery(req)) throw credentialsRequired();
    const clientAddress = req.socket.remoteAddress;
    const access = await deps.accessFor(principal, clientAddress ? { clientAddress } : {});
    const audit =
      principal.kind === 'anonymous' ? undefined : deps.auditTrailFor(principal, access, clientAddress);
    // express's negotiation (q-values, nl-NL for nl); without the header, both languages.
    const language = req.headers['accept-language']
      ? (req.acceptsLanguages('nl', 'en') as 'nl' | 'en' | false) || undefined
      : undefined;
    return {
      principal,
      ...(language ? { language } : {}),
      store: deps.storeFor(access, audit),
      ...deps.base,
      baseUrl: req.baseUrl_,
      ...(audit ? { audit } : {}),
    };
  };
}
