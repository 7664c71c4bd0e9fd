import Provider, { errors, type KoaContextLike, type TokenLike } from 'oidc-provider';
import type { ClientStore } from '../../fhir/storage/auth/client-store.ts';
import type { OidcAdapter, RecordStore } from '../../fhir/storage/auth/oidc-adapter.ts';
import type { PersonResolver } from '../resolve-person.ts';
import { assertClientAssertionClaims, CLOCK_TOLERANCE_SECONDS } from './client-assertion.ts';
import type { SigningKeys } from './keys.ts';
import { narrowingRefresh, type GrantHandler } from './refresh.ts';
import { singleUseAdapter } from './single-use.ts';
import { grantableResourceScopes, hasScope, OIDC_SCOPES } from './scopes.ts';

/** Token and session lifetimes in seconds (README: Lifetimes). */
export const LIFETIMES = {
  AccessToken: 3600,
  /** Backend services: short-lived, the client can always sign a new assertion. */
  ClientCredentials: 300,
  AuthorizationCode: 60,
  IdToken: 3600,
  /** `offline_access`: 30 days, rotated on use; `online_access` ones end with the session. */
  RefreshToken: 30 * 24 * 3600,
  Grant: 30 * 24 * 3600,
  Session: 12 * 3600,
  Interaction: 15 * 60,
};

/** Where the launch context of a grant lives (`patient`, `encounter`), keyed by grant id. */
export const CONTEXT_MODEL = 'SmartContext';
export const LAUNCH_MODEL = 'SmartLaunch';
export interface LaunchContext {
  patient?: string;
  encounter?: string;
  /** The organisation of the caregiver's login (the URA of a UZI-pas or SAML login). */
  organization?: string;
}

/** An EHR launch as stored: its context, and the caregiver who made it (none for a system). */
export interface StoredLaunch extends LaunchContext {
  createdBy?: string;
}

export const ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  jwks: '/oauth/jwks',
  introspection: '/oauth/introspect',
  revocation: '/oauth/revoke',
  userinfo: '/oauth/userinfo',
  end_session: '/oauth/logout',
  registration: '/oauth/register',
  pushed_authorization_request: '/oauth/par',
  device_authorization: '/oauth/device/auth',
  code_verification: '/oauth/device',
  backchannel_authentication: '/oauth/backchannel',
  challenge: '/oauth/challenge',
  credential: '/oauth/credential',
};

export const INTERACTION_PATH = '/oauth/interaction';

export interface SmartProviderDeps {
  /** The public FHIR base URL: the issuer and the only `aud`/resource tokens are for. */
  fhirBase: string;
  adapter: new (model: string) => OidcAdapter;
  clients: ClientStore;
  records: RecordStore;
  persons: PersonResolver;
  keys: SigningKeys;
  cookieKeys: string[];
  /** Backend-services access token lifetime (default LIFETIMES.ClientCredentials). */
  backendTokenSeconds?: number;
}

/** The scopes in play for a request: asked for now, or carried by the code or refresh token. */
function requestedScope(ctx: KoaContextLike): string | undefined {
  const { params, entities } = ctx.oidc;
  return params.scope ?? entities.AuthorizationCode?.scope ?? entities.RefreshToken?.scope;
}

/** oidc-provider registers its grants while it is constructed: here its refresh is wrapped. */
class SmartProvider extends Provider {
  override registerGrantType(
    name: string,
    handler: GrantHandler,
    params?: string | string[] | Set<string>,
    dupes?: string | string[] | Set<string>,
  ): void {
    super.registerGrantType(
      name,
      name === 'refresh_token' ? narrowingRefresh(handler) : handler,
      params,
      dupes,
    );
  }
}

/**
 * oidc-provider configured as a SMART App Launch v2 authorization server. Resource scopes are
 * resource-server scopes of the FHIR base (resource indicators with it as the default
 * resource), so access tokens carry exactly the resource scopes granted and `aud` = the base.
 */
export function createSmartProvider(deps: SmartProviderDeps): Provider {
  const { fhirBase, records, persons, keys } = deps;

  const provider = new SmartProvider(fhirBase, {
    adapter: singleUseAdapter(deps.adapter),
    clients: [],
    jwks: keys.jwks,
    cookies: {
      keys: deps.cookieKeys,
      names: { session: '_smart_session', interaction: '_smart_interaction', resume: '_smart_resume' },
    },
    scopes: OIDC_SCOPES,
    claims: { openid: ['sub'], fhirUser: ['fhirUser'], profile: ['fhirUser'] },
    // SMART apps read fhirUser from the id_token, not from userinfo.
    conformIdTokenClaims: false,
    clientDefaults: {
      id_token_signed_response_alg: keys.idTokenAlg,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    extraClientMetadata: { properties: ['smart_scope'] },
    enabledJWA: {
      // SMART backend services: RS384 and ES384 are the ones a server must support.
      clientAuthSigningAlgValues: ['RS256', 'RS384', 'PS256', 'ES256', 'ES384'],
    },
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    assertJwtClientAuthClaimsAndHeader: assertClientAssertionClaims,
    responseTypes: ['code'],
    // S256 is the only method oidc-provider implements; here it is required of every client.
    pkce: { required: () => true },
    extraParams: {
      aud(_ctx: KoaContextLike, value: string | undefined) {
        if (value?.replace(/\/+$/, '') !== fhirBase) {
          throw new errors.InvalidRequest(`aud must be this server's FHIR base URL (${fhirBase})`);
        }
      },
      async launch(_ctx: KoaContextLike, value: string | undefined) {
        if (value !== undefined && !(await records.get(LAUNCH_MODEL, value))) {
          throw new errors.InvalidRequest('unknown or expired launch');
        }
      },
    },
    routes: ROUTES,
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `${INTERACTION_PATH}/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      // The API accepts Bearer tokens only; a DPoP-bound token must not work without its proof.
      dPoP: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // A public app may introspect only its own tokens; a confidential client any token.
        allowedPolicy: async (
          ctx: KoaContextLike,
          client: { clientAuthMethod: string; clientId: string },
          token: TokenLike,
        ) => client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client?.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: TokenLike) => {
          if (token.clientId !== client.clientId) {
            throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
          }
          return true;
        },
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => fhirBase,
        useGrantedResource: () => true,
        getResourceServerInfo: (
          ctx: KoaContextLike,
          resource: string,
          client: { smart_scope?: string; grantTypeAllowed?: (t: string) => boolean },
        ) => {
          if (resource.replace(/\/+$/, '') !== fhirBase) {
            throw new errors.InvalidTarget('the only resource here is the FHIR base URL');
          }
          const backend = ctx.oidc.route === 'token' && ctx.oidc.params.grant_type === 'client_credentials';
          const scope = grantableResourceScopes(
            requestedScope(ctx),
            client.smart_scope,
            backend ? ['system'] : ['patient', 'user'],
          ).join(' ');
          return {
            scope,
            audience: fhirBase,
            accessTokenFormat: 'opaque',
            accessTokenTTL: backend
              ? (deps.backendTokenSeconds ?? LIFETIMES.ClientCredentials)
              : LIFETIMES.AccessToken,
          };
        },
      },
    },
    async findAccount(_ctx: unknown, sub: string) {
      // The account id is the person's reference; one that no longer resolves ends the grant.
      try {
        await persons.fromReference(sub, 'smart');
      } catch {
        return undefined;
      }
      return {
        accountId: sub,
        claims: async () => ({ sub, fhirUser: `${fhirBase}/${sub}` }),
      };
    },
    // Stored with the token and shown by introspection: the launch context, and whom it is for.
    async extraTokenClaims(_ctx: unknown, token: TokenLike) {
      if (!token.grantId || !token.accountId) return undefined;
      const context = await records.get<LaunchContext>(CONTEXT_MODEL, token.grantId);
      return { ...context, fhirUser: `${fhirBase}/${token.accountId}` };
    },
    async issueRefreshToken(
      _ctx: unknown,
      client: { grantTypeAllowed(t: string): boolean },
      code: TokenLike,
    ) {
      return (
        client.grantTypeAllowed('refresh_token') &&
        (hasScope(code.scope, 'offline_access') || hasScope(code.scope, 'online_access'))
      );
    },
    // Every refresh rotates, confidential clients too (oidc-provider's default rotates public
    // clients only, or near the end of a token's life). A rotated token used again ends the
    // whole grant: oidc-provider deletes its tokens and the grant (RFC 9700 §4.14.2).
    rotateRefreshToken: true,
    ttl: {
      ...LIFETIMES,
      ClientCredentials: deps.backendTokenSeconds ?? LIFETIMES.ClientCredentials,
      // oidc-provider asks per token; the resource server info sets access token lifetimes.
    },
    clientBasedCORS: (_ctx: unknown, origin: string, client: { redirectUris?: string[] }) =>
      (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    async renderError(ctx: KoaContextLike, out: Record<string, string>) {
      ctx.set('Content-Type', 'text/html; charset=utf-8');
      const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      ctx.body = `<!doctype html><title>Login error</title><h1>${esc(out.error ?? 'error')}</h1><p>${esc(
        out.error_description ?? '',
      )}</p>`;
    },
  });
  // Endpoint URLs are built from the request; the express mount sets X-Forwarded-* from the
  // public base URL, so they always name the configured base.
  provider.proxy = true;

  // oidc-provider drops `offline_access` unless the request has prompt=consent (OpenID Connect
  // Core §11); SMART apps do not send it, and every login here shows the consent page anyway.
  // A launch (EHR `launch`, or `launch/patient`) always goes through the consent page: the
  // patient context is set there, and a grant that already holds the scopes would otherwise
  // skip it and hand the app the previous launch's patient.
  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === ROUTES.authorization) {
      const q = new URLSearchParams(ctx.querystring);
      const scope = q.get('scope') ?? '';
      const launch = q.has('launch') || hasScope(scope, 'launch/patient') || hasScope(scope, 'launch');
      const prompt = (q.get('prompt') ?? '').split(' ').filter(Boolean);
      const wantConsent = launch || hasScope(scope, 'offline_access');
      // With `prompt=none` a launch cannot be honoured: adding consent makes it an error
      // (`none` must stand alone) rather than a silent reuse of the last launch's patient.
      if (wantConsent && !prompt.includes('consent') && (launch || !prompt.includes('none'))) {
        q.set('prompt', [...prompt, 'consent'].join(' '));
        ctx.querystring = q.toString();
      }
    }
    await next();
  });

  // SMART asks for the launch context beside the token (`patient`, `encounter`) and for the
  // granted scope including the non-resource ones (launch/patient, openid, offline_access).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown>;
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
    if (!source || typeof body.access_token !== 'string') return;
    const at = await provider.AccessToken.find(body.access_token);
    const context = at?.extra as LaunchContext | undefined;
    if (context?.patient) body.patient = context.patient;
    if (context?.encounter) body.encounter = context.encounter;
    const granted = (ctx.oidc.params.scope ?? source.scope ?? '').split(' ');
    const resourceScopes = new Set(String(body.scope ?? '').split(' '));
    body.scope = granted.filter((s) => OIDC_SCOPES.includes(s) || resourceScopes.has(s)).join(' ');
  });

  return provider;
}
