import { randomBytes } from 'node:crypto';
import express from 'express';
import type { Logger } from 'pino';
import type { BearerLookup } from '../../fhir/storage/auth/bearer-lookup.ts';
import type { ClientStore } from '../../fhir/storage/auth/client-store.ts';
import type { createOidcAdapterFactory, RecordStore } from '../../fhir/storage/auth/oidc-adapter.ts';
import type { LoginLog } from '../../audit/login-log.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import type { Credentials } from '../authenticate.ts';
import type { Principal } from '../principal.ts';
import type { PersonResolver } from '../resolve-person.ts';
import { smartConfiguration } from './discovery.ts';
import { createInteractions, type LoginOption, type PatientDirectory } from './interaction.ts';
import type { PasswordInteractionOptions } from '../password/interaction-routes.ts';
import { loadSigningKeys } from './keys.ts';
import { logTokenRequests } from './token-log.ts';
import { LAUNCH_SECONDS, launchEndpoint } from './launch-endpoint.ts';
import { createPrincipalFor } from './principal-for.ts';
import { createSmartProvider, INTERACTION_PATH, LAUNCH_MODEL, type StoredLaunch } from './provider.ts';

export type { LoginOption } from './interaction.ts';

export interface SmartDeps {
  /** The public FHIR base URL (issuer, token audience). */
  fhirBase: string;
  /** Storage, made by the composition root (fhir/storage/auth). */
  storage: {
    clients: ClientStore;
    records: RecordStore;
    oidcAdapter: ReturnType<typeof createOidcAdapterFactory>;
    bearerLookup: BearerLookup;
  };
  persons: PersonResolver;
  /** For the EHR launch endpoint: who is asking (the app's authenticator). */
  authenticate: (credentials: Credentials) => Promise<Principal>;
  /** For the EHR launch endpoint: whether the caller may read that patient. */
  mayLaunch: (who: Principal, patientId: string) => Promise<boolean>;
  /** Up to `limit` Patients the principal may see (the patient picker). */
  visiblePatients: (who: Principal, limit: number) => Promise<Resource[]>;
  logger: Logger;
  jwksFile?: string;
  cookieKeys: string[];
  devLogin: boolean;
  backendTokenSeconds?: number;
  loginOptions: LoginOption[];
  /** Where logins and token requests, accepted and refused, are recorded (the access log). */
  loginLog: LoginLog;
  /** Password logins with a one-time code on the login page; off when absent. */
  password?: PasswordInteractionOptions;
}

/**
 * The SMART on FHIR authorization server: oidc-provider with our storage, login pages,
 * discovery, the EHR launch endpoint, and the access token → principal lookup for the API.
 */
export async function createSmart(deps: SmartDeps) {
  const { fhirBase, logger } = deps;
  const { clients, records } = deps.storage;
  const keys = await loadSigningKeys(deps.jwksFile);
  if (keys.ephemeral) {
    logger.warn('SMART_JWKS_FILE is not set: id tokens are signed with a key made for this process only');
  }
  let cookieKeys = deps.cookieKeys;
  if (!cookieKeys.length) {
    logger.warn('SMART_COOKIE_KEYS is not set: login cookies use a key made for this process only');
    cookieKeys = [randomBytes(32).toString('base64url')];
  }
  const provider = createSmartProvider({
    fhirBase,
    adapter: deps.storage.oidcAdapter,
    clients,
    records,
    persons: deps.persons,
    keys,
    cookieKeys,
    backendTokenSeconds: deps.backendTokenSeconds,
  });
  logTokenRequests(provider, deps.loginLog, logger);

  const patients: PatientDirectory = {
    async list(who) {
      const found = await deps.visiblePatients(who, 50);
      return found.map((p) => {
        const name = (p as { name?: { text?: string; family?: string; given?: string[] }[] }).name?.[0];
        const label = name?.text ?? [...(name?.given ?? []), name?.family ?? ''].join(' ').trim();
        return { id: p.id!, label: label || `Patient ${p.id}` };
      });
    },
    exists: (who, id) => deps.mayLaunch(who, id),
  };

  const interactions = createInteractions({
    provider,
    fhirBase,
    clients,
    records,
    persons: deps.persons,
    patients,
    devLogin: deps.devLogin,
    loginOptions: deps.loginOptions,
    loginLog: deps.loginLog,
    logger,
    ...(deps.password ? { password: deps.password } : {}),
  });

  async function createLaunch(context: StoredLaunch): Promise<string> {
    const launch = randomBytes(18).toString('base64url');
    await records.put(LAUNCH_MODEL, launch, context, LAUNCH_SECONDS);
    return launch;
  }

  const base = new URL(fhirBase);
  const callback = provider.callback();
  const router = express.Router();
  router.get('/.well-known/smart-configuration', (_req, res) => {
    res.set('Cache-Control', 'no-store').json(smartConfiguration(fhirBase));
  });
  router.use(interactions.router);
  router.post(
    '/oauth/launch',
    ...launchEndpoint({ authenticate: deps.authenticate, mayLaunch: deps.mayLaunch, createLaunch }),
  );
  router.use((req, res, next) => {
    if (!req.path.startsWith('/oauth/') && req.path !== '/.well-known/openid-configuration') return next();
    if (req.path.startsWith(`${INTERACTION_PATH}/`)) return next();
    // oidc-provider builds its URLs from the request: make them the public base URL's.
    req.headers['x-forwarded-host'] = base.host;
    req.headers['x-forwarded-proto'] = base.protocol.replace(':', '');
    callback(req, res);
  });

  return {
    router,
    provider,
    clients,
    principalFor: createPrincipalFor({ lookup: deps.storage.bearerLookup, persons: deps.persons, fhirBase }),
    completeLoginUrl: interactions.completeLoginUrl,
    createLaunch,
  };
}

export type Smart = Awaited<ReturnType<typeof createSmart>>;
