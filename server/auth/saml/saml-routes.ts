import {
  MultiSamlStrategy,
  ValidateInResponseTo,
  type Profile,
  type VerifyWithRequest,
} from '@node-saml/passport-saml';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Passport, type Strategy } from 'passport';
import type { Logger } from 'pino';
import type { LoginLog } from '../../audit/login-log.ts';
import type { SamlConfig } from '../../config.ts';
import { FhirError } from '../../fhir/errors.ts';
import type { RelayStateBinding, SamlStore } from '../../fhir/storage/auth/saml-store.ts';
import { personReference, type PersonPrincipal } from '../principal.ts';
import type { LoginIdentity, PersonResolver } from '../resolve-person.ts';
import { mapAssertion, type CaregiverClaims } from './attributes.ts';
import type { IdpConfig } from './idp-config.ts';
import { spMetadata } from './metadata.ts';
import { checkResponse, libraryRefusal, refused } from './response-checks.ts';

/** A completed SAML login: the IdP, what it asserted, and the stored person it names. */
export interface SamlLogin {
  idp: string;
  identity: LoginIdentity;
  person: PersonPrincipal;
  /** Role and organisation a caregiver IdP asserted (not yet matched to PractitionerRoles). */
  claims?: CaregiverClaims;
  relayState?: string;
}

export type OnSamlLogin = (req: Request, res: Response, login: SamlLogin) => void | Promise<void>;

export interface SamlRouteDeps {
  config: SamlConfig;
  idps: IdpConfig[];
  store: SamlStore;
  persons: PersonResolver;
  /** PEM key and certificate to sign AuthnRequests with, when configured. */
  spKey?: string;
  spCert?: string;
  /** What a successful login leads to (a session, the SMART authorization interaction…). */
  onLogin: OnSamlLogin;
  /** Refused responses are logged (warn) with their reason: an operator sees attacks and misconfiguration. */
  logger?: Pick<Logger, 'warn' | 'info'>;
  /** Logins, accepted and refused, go to the access log. */
  loginLog?: LoginLog;
}

/** The SAML bindings spec caps RelayState at 80 bytes; a longer one may be cut by an IdP. */
const MAX_RELAY_STATE_BYTES = 80;
/** A SAML response is a few kB; a form far larger than that is not one. */
const MAX_FORM_BYTES = '256kb';

export const acsUrl = (config: Pick<SamlConfig, 'spBaseUrl'>, idp: string) =>
  `${config.spBaseUrl}/saml/acs/${encodeURIComponent(idp)}`;

/** The IdPs a login page offers, with the URL that starts each login. */
export function samlLoginOptions(config: Pick<SamlConfig, 'spBaseUrl'>, idps: IdpConfig[]) {
  return idps.map((idp) => ({
    id: idp.id,
    label: idp.label,
    kind: idp.kind,
    href: (relayState?: string) =>
      `${config.spBaseUrl}/saml/login/${encodeURIComponent(idp.id)}` +
      (relayState === undefined ? '' : `?RelayState=${encodeURIComponent(relayState)}`),
  }));
}

function relayState(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || Buffer.byteLength(value) > MAX_RELAY_STATE_BYTES) {
    throw new FhirError(400, `RelayState must be one string of at most ${MAX_RELAY_STATE_BYTES} bytes`, {
      code: 'invalid',
    });
  }
  return value;
}

/**
 * The SAML 2.0 service provider: GET /saml/metadata, GET /saml/login/:idp (AuthnRequest by
 * HTTP-Redirect), POST /saml/acs/:idp (Response by HTTP-POST). passport-saml validates the
 * signature (assertions must be signed), InResponseTo (always, against the AuthnRequests kept
 * in the database), audience and time windows; response-checks.ts adds algorithms,
 * Destination, Recipient, Issuer and replay. Every refusal is an OperationOutcome.
 */
export function samlRoutes(deps: SamlRouteDeps): express.Router {
  const { config, store, persons } = deps;
  const byId = new Map(deps.idps.map((idp) => [idp.id, idp]));

  // passport-saml is typed against its own copy of @types/express (v4): its callbacks get this.
  type LibraryRequest = Parameters<VerifyWithRequest>[0];

  function idpOf(req: Request | LibraryRequest): IdpConfig {
    const idp = byId.get(String(req.params.idp));
    if (!idp) throw new FhirError(404, `Unknown SAML IdP '${String(req.params.idp)}'`, { code: 'not-found' });
    return idp;
  }

  /**
   * A RelayState is held to the AuthnRequest it left with: saved with the request at login,
   * found again through InResponseTo at the ACS. Otherwise someone could log in as themselves
   * and send the answer into another browser's SMART interaction (login CSRF).
   */
  const bindings = new WeakMap<object, RelayStateBinding>();
  function relayBinding(req: object): RelayStateBinding {
    let b = bindings.get(req);
    if (!b) {
      const query = (req as { query?: Record<string, unknown> }).query ?? {};
      b = typeof query.RelayState === 'string' ? { relayState: query.RelayState } : {};
      bindings.set(req, b);
    }
    return b;
  }

  const strategy = new MultiSamlStrategy(
    {
      passReqToCallback: true,
      getSamlOptions(req, done) {
        try {
          const idp = idpOf(req);
          done(null, {
            entryPoint: idp.ssoUrl,
            issuer: config.spEntityId,
            callbackUrl: acsUrl(config, idp.id),
            idpCert: idp.signingCerts,
            idpIssuer: idp.entityId,
            audience: config.spEntityId,
            wantAssertionsSigned: true,
            // Most IdPs sign the assertion only; the assertion is what we rely on.
            wantAuthnResponseSigned: false,
            signatureAlgorithm: 'sha256',
            digestAlgorithm: 'sha256',
            ...(deps.spKey ? { privateKey: deps.spKey, publicCert: deps.spCert } : {}),
            acceptedClockSkewMs: config.clockSkewMs,
            maxAssertionAgeMs: config.maxAssertionAgeMs,
            // Unsolicited (IdP-initiated) responses are refused: they cannot be tied to a browser.
            validateInResponseTo: ValidateInResponseTo.always,
            requestIdExpirationPeriodMs: config.requestTtlMs,
            cacheProvider: store.requests(idp.id, relayBinding(req)),
            identifierFormat: idp.nameIdFormat ?? null,
            ...(idp.authnContexts
              ? {
                  authnContext: idp.authnContexts,
                  racComparison: 'exact' as const,
                  disableRequestedAuthnContext: false,
                }
              : { disableRequestedAuthnContext: true }),
          });
        } catch (err) {
          done(err as Error);
        }
      },
    },
    (req: LibraryRequest, profile: Profile | null, done) => {
      void (async () => {
        const idp = idpOf(req);
        if (!profile) throw refused('the response carries no assertion');
        const facts = checkResponse({
          responseXml: Buffer.from(String(req.body.SAMLResponse), 'base64').toString('utf8'),
          assertion: profile.getAssertion?.(),
          acsUrl: acsUrl(config, idp.id),
          idpEntityId: idp.entityId,
          maxAssertionAgeMs: config.maxAssertionAgeMs,
          authnContexts: idp.authnContexts,
        });
        const { identity, claims } = mapAssertion(idp, profile);
        if (
          !(await store.useAssertion(
            idp.id,
            facts.id,
            new Date(facts.expiresAt.getTime() + config.clockSkewMs),
          ))
        ) {
          throw refused('this assertion was already used (replay)');
        }
        // Inside the ACS, so a login naming no one registered here is answered 403.
        const person = await persons.fromIdentity(identity, 'saml');
        return { idp: idp.id, identity, person, claims } as unknown as Record<string, unknown>;
      })().then(
        (user) => done(null, user),
        (err: Error) => done(err),
      );
    },
    (_req: LibraryRequest, _profile: Profile | null, done) => {
      done(new FhirError(501, 'SAML single logout is not supported', { code: 'not-supported' }));
    },
  );
  const passport = new Passport();
  // The same v4/v5 @types/express split: at run time it is an ordinary passport strategy.
  passport.use('saml', strategy as unknown as Strategy);

  const logRefusal = async (req: Request, err: unknown) =>
    deps.loginLog?.refused(err, {
      method: 'saml',
      idp: String(req.params.idp),
      ...(req.socket.remoteAddress ? { address: req.socket.remoteAddress } : {}),
    });

  /** Runs the strategy; a library error (signature, InResponseTo, audience, time) becomes 401. */
  function authenticate(
    req: Request,
    res: Response,
    next: NextFunction,
    then: (user: SamlLogin) => Promise<void>,
  ) {
    passport.authenticate(
      'saml',
      { session: false },
      (err: unknown, user: SamlLogin | false, info: { message?: string } | undefined) => {
        let refusal: FhirError | undefined;
        if (err)
          refusal = err instanceof FhirError ? err : libraryRefusal((err as Error).message ?? String(err));
        else if (!user) refusal = refused(info?.message ?? 'no user');
        if (refusal || !user) {
          deps.logger?.warn(
            { reqId: req.id, idp: req.params.idp, status: refusal?.status, reason: refusal?.message },
            'SAML login refused',
          );
          return void logRefusal(req, refusal).finally(() => next(refusal));
        }
        deps.logger?.info(
          { reqId: req.id, idp: user.idp, person: personReference(user.person) },
          'SAML login',
        );
        then(user).catch((err: unknown) => void logRefusal(req, err).finally(() => next(err)));
      },
    )(req, res, next);
  }

  const router = express.Router();

  router.get('/metadata', (_req, res) => {
    res.type('application/samlmetadata+xml');
    res.send(
      spMetadata({
        entityId: config.spEntityId,
        acsUrls: deps.idps.map((idp) => acsUrl(config, idp.id)),
        signingCert: deps.spCert,
      }),
    );
  });

  router.get('/login/:idp', (req, res, next) => {
    try {
      idpOf(req);
      relayState(req.query.RelayState);
      // Only a login starts here; passport-saml would also take responses from the query.
      if ('SAMLResponse' in req.query || 'SAMLRequest' in req.query) {
        throw new FhirError(400, 'SAML messages are not accepted on the login URL', { code: 'invalid' });
      }
      res.setHeader('Cache-Control', 'no-store');
      authenticate(req, res, next, async () => {
        throw refused('no login in progress');
      });
    } catch (err) {
      next(err);
    }
  });

  router.post(
    '/acs/:idp',
    express.urlencoded({ extended: false, limit: MAX_FORM_BYTES }),
    (req, res, next) => {
      try {
        idpOf(req);
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (typeof body.SAMLResponse !== 'string' || body.SAMLRequest !== undefined) {
          throw new FhirError(400, 'POST a form with one SAMLResponse (HTTP-POST binding)', {
            code: 'invalid',
          });
        }
        const state = relayState(body.RelayState);
        authenticate(req, res, next, async (user) => {
          const sent = relayBinding(req).found?.relayState ?? undefined;
          if (sent !== state) {
            throw refused('the RelayState is not the one the login was started with');
          }
          // The assertion is verified: that is the login, wherever it leads (a SMART app, or none).
          await deps.loginLog?.record({
            method: 'saml',
            outcome: 'success',
            idp: user.idp,
            person: personReference(user.person),
            ...(user.person.kind === 'practitioner' && user.person.organizationId
              ? { organization: user.person.organizationId }
              : {}),
            ...(req.socket.remoteAddress ? { address: req.socket.remoteAddress } : {}),
          });
          await deps.onLogin(req, res, { ...user, ...(state === undefined ? {} : { relayState: state }) });
        });
      } catch (err) {
        next(err);
      }
    },
  );

  return router;
}
