import { TLSSocket } from 'node:tls';
import express from 'express';
import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { processBundle } from './fhir/bundle/process-bundle.ts';
import { capabilityStatement } from './fhir/rest/capabilities.ts';
import { createDispatcher, type Dispatch } from './fhir/rest/dispatch.ts';
import { resourceRoutes, type Route } from './fhir/rest/routes.ts';
import type { RestContext } from './fhir/rest/types.ts';
import { purge } from './fhir/rest/purge.ts';
import { createAccessFor } from './access/access-for.ts';
import { guardWrites } from './access/guard-writes.ts';
import { createAuthenticator } from './auth/authenticate.ts';
import { loadConformanceTokens } from './auth/conformance-tokens.ts';
import { createPersonResolver } from './auth/resolve-person.ts';
import { personReference } from './auth/principal.ts';
import { loadSamlIdps } from './auth/saml/idp-config.ts';
import { samlRoutes, type OnSamlLogin } from './auth/saml/saml-routes.ts';
import { createSamlStore } from './fhir/storage/auth/saml-store.ts';
import { createDatabase, type Database } from './fhir/storage/database.ts';
import { ResourceStore } from './fhir/storage/resource-store.ts';
import { createResourceValidator } from './fhir/validation/index.ts';
import { createSearchModule } from './fhir/search/module.ts';
import type { Config } from './config.ts';
import { errorHandler } from './http/errors.ts';
import { fhirHandler } from './http/fhir-handler.ts';
import { healthRoutes } from './http/health.ts';
import { requestContext } from './http/request-context.ts';

export interface App {
  express: express.Express;
  db: Database;
  logger: Logger;
  /** Marks the server as draining: /readyz answers 503 from now on. */
  drain(): void;
  close(): Promise<void>;
}

/**
 * Until the SMART authorization interaction takes SAML logins over (RelayState = its
 * interaction uid), a login answers who it proved: the identity and the stored person.
 */
const showSamlLogin: OnSamlLogin = (_req, res, login) => {
  const identifier =
    login.identity.kind === 'caregiver'
      ? { name: 'uziNumber', valueString: login.identity.uziNumber }
      : { name: 'bsn', valueString: login.identity.bsn };
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).json({
    resourceType: 'Parameters',
    parameter: [
      { name: 'idp', valueString: login.idp },
      { name: 'kind', valueCode: login.identity.kind },
      identifier,
      { name: 'person', valueReference: { reference: personReference(login.person) } },
      ...(login.relayState === undefined ? [] : [{ name: 'relayState', valueString: login.relayState }]),
    ],
  });
};

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

/** The composition root: every module is created here and handed its dependencies. */
export async function createApp(
  config: Config,
  options: {
    logger?: Logger;
    /** What a SAML login leads to; by default its result as JSON. */ onSamlLogin?: OnSamlLogin;
  } = {},
): Promise<App> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  // Read before the database opens: a broken IdP list stops the start without leaving it open.
  const samlIdps = config.saml ? loadSamlIdps(config.saml.idpsFile) : undefined;
  const db = createDatabase({ databaseUrl: config.databaseUrl, pgliteDataDir: config.pgliteDataDir });
  await db.migrate();
  const { registry, indexer, engine: search } = createSearchModule(config.searchParameterFiles);
  const store = new ResourceStore(db.knex, indexer);
  const validator = createResourceValidator();

  // Bundle entries are dispatched through the same routes as HTTP requests, so the route
  // list is filled after the dispatcher that reads it exists.
  const routes: Route[] = [];
  const dispatch: Dispatch = createDispatcher(routes);
  const systemRoutes: Route[] = [
    {
      method: 'POST',
      pattern: [],
      interaction: ['transaction', 'batch'],
      level: 'system',
      handle: (ctx, req) =>
        processBundle(ctx, dispatch, req.body, req.representation === true, (err, index) =>
          logger.error({ err, index }, 'batch entry failed'),
        ),
    },
    {
      method: 'GET',
      pattern: ['metadata'],
      interaction: [],
      level: 'system',
      handle: async (ctx) => ({
        status: 200,
        headers: {},
        resource: capabilityStatement(
          routes,
          { name: 'Zorgpoort', version: pkg.version },
          ctx.baseUrl,
          registry,
        ),
      }),
    },
  ];
  routes.push(...systemRoutes, ...resourceRoutes);

  const conformanceTokens = config.conformanceTokensFile
    ? loadConformanceTokens(config.conformanceTokensFile)
    : undefined;
  if (conformanceTokens) {
    logger.warn(
      { file: config.conformanceTokensFile, tokens: conformanceTokens.size },
      'conformance mode: static patient tokens and Patient/$purge are on; never use this with real data',
    );
    routes.push({
      method: 'POST',
      pattern: ['type', 'id', '$purge'],
      types: ['Patient'],
      interaction: '$purge',
      level: 'instance',
      handle: (ctx, _req, m) => purge(ctx, m.id),
    });
  }
  const persons = createPersonResolver({ store, search });
  const authenticate = createAuthenticator({ persons, conformanceTokens });
  const accessFor = createAccessFor(search);
  const context = async (req: express.Request): Promise<RestContext> => {
    const socket = req.socket instanceof TLSSocket ? req.socket : undefined;
    const access = accessFor(await authenticate({ authorization: req.headers.authorization, socket }));
    return {
      store: guardWrites(store, access),
      search,
      validator,
      limits: config.limits,
      baseUrl: req.baseUrl_,
      access,
    };
  };

  let draining = false;
  const health = healthRoutes({ ping: () => db.ping(), draining: () => draining });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(requestContext(logger, config.baseUrl));
  app.get('/healthz', health.healthz);
  app.get('/readyz', health.readyz);
  if (config.saml && samlIdps) {
    const saml = config.saml;
    app.use(
      '/saml',
      samlRoutes({
        config: saml,
        idps: samlIdps,
        store: createSamlStore({ knex: db.knex, requestTtlMs: saml.requestTtlMs }),
        persons,
        spKey: saml.spKeyFile ? readFileSync(saml.spKeyFile, 'utf8') : undefined,
        spCert: saml.spCertFile ? readFileSync(saml.spCertFile, 'utf8') : undefined,
        onLogin: options.onSamlLogin ?? showSamlLogin,
        logger,
      }),
    );
  }
  app.use(fhirHandler({ dispatch, context, limits: config.limits }));
  app.use(errorHandler(logger));

  return {
    express: app,
    db,
    logger,
    drain: () => {
      draining = true;
    },
    close: () => db.close(),
  };
}
