import { availableParallelism } from 'node:os';
import express from 'express';
import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { createDispatcher, type Dispatch } from './fhir/rest/dispatch.ts';
import { createBreakTheGlass } from './domain/emergency/break-the-glass.ts';
import type { MllpListener } from './hl7v2/listener.ts';
import { PURGE_ROUTE, patientOperationRoutes, systemRoutes } from './compose/core-routes.ts';
import { createHl7Listener } from './compose/hl7-listener.ts';
import { patientPicker } from './compose/patient-picker.ts';
import { restContext } from './compose/rest-context.ts';
import { resourceRoutes, type Route } from './fhir/rest/routes.ts';
import { createAccessFor } from './access/access-for.ts';
import { AuthorizedStore } from './access/authorized-store.ts';
import { withAccessFacts } from './access/facts/index-facts.ts';
import { createAccessFacts } from './fhir/storage/access-facts.ts';
import { createAuditTrail, type AuditTrail } from './audit/audit-trail.ts';
import { createAuditProjector } from './audit/audit-projector.ts';
import { createAuditWriter, type AuditWriter } from './audit/audit-writer.ts';
import { createLoginLog } from './audit/login-log.ts';
import { createLoadGauge } from './http/load-gauge.ts';
import { accountRoutes } from './domain/referral/account-routes.ts';
import type { AccountDeps } from './domain/referral/account-deps.ts';
import { invitationRoutes } from './auth/invitation-page.ts';
import { createAccountTokens } from './fhir/storage/auth/account-tokens.ts';
import { collectiveRoutes } from './domain/collective/routes.ts';
import { createJobQueue } from './fhir/storage/job-queue.ts';
import { createMailer } from './jobs/mail.ts';
import { createSmsSender } from './jobs/sms.ts';
import { createSubscriptions } from './fhir/subscriptions/notifications.ts';
import { ownerPrincipal } from './fhir/subscriptions/owner-principal.ts';
import { createCollectiveDirectory } from './domain/collective/directory.ts';
import { OPEN_ACCESS, type AccessPolicy, type Resource } from './access/policy.ts';
import type { Principal } from './auth/principal.ts';
import { createAuthenticator } from './auth/authenticate.ts';
import { loadConformanceTokens } from './auth/conformance-tokens.ts';
import { createPersonResolver } from './auth/resolve-person.ts';
import { createSmart, type LoginOption, type Smart } from './auth/smart/index.ts';
import { loadSamlIdps } from './auth/saml/idp-config.ts';
import { presentedUziNumber } from './auth/uzi/uzi-login.ts';
import { samlRoutes } from './auth/saml/saml-routes.ts';
import { samlLoginInto, smartLoginOptions } from './auth/saml/smart-handoff.ts';
import { createBearerLookup } from './fhir/storage/auth/bearer-lookup.ts';
import { keepBearerLookups } from './fhir/storage/auth/kept-bearer-lookup.ts';
import { listenForTokenRevocations } from './fhir/storage/auth/token-revocations.ts';
import { createClientStore } from './fhir/storage/auth/client-store.ts';
import { createOidcAdapterFactory, createRecordStore } from './fhir/storage/auth/oidc-adapter.ts';
import { createSamlStore } from './fhir/storage/auth/saml-store.ts';
import { createPasswordStore } from './fhir/storage/auth/password-store.ts';
import { createPasswordAccounts, type PasswordAccounts } from './auth/password/accounts.ts';
import { createPasswordLogin } from './auth/password/login.ts';
import { createPasswordReset } from './auth/password/reset.ts';
import { passwordResetRoutes, RESET_PATH } from './auth/password/reset-routes.ts';
import { createDatabase, type Database } from './fhir/storage/database.ts';
import { ResourceStore } from './fhir/storage/resource-store.ts';
import { createResourceValidator } from './fhir/validation/index.ts';
import { createSearchModule } from './fhir/search/module.ts';
import type { Config } from './config.ts';
import { errorHandler } from './http/errors.ts';
import { fhirHandler } from './http/fhir-handler.ts';
import { healthRoutes } from './http/health.ts';
import { requestContext } from './http/request-context.ts';
import { createOutboxSender, type Hl7OutboxSender } from './hl7v2/outbox.ts';
import { hl7LogRoutes } from './hl7v2/routes.ts';
import { referralRoutes } from './domain/referral/routes.ts';
import { receivedOnAck } from './domain/referral/received-on-ack.ts';
import { hospitalRoutes } from './domain/hospital/routes.ts';
import { practiceRoutes } from './domain/practice/routes.ts';
import type { PracticeDeps } from './domain/practice/deps.ts';
import { portalRegistrationRoutes } from './auth/portal-registration-page.ts';
import { documentRoutes } from './domain/document/composition-document.ts';

export interface App {
  express: express.Express;
  db: Database;
  logger: Logger;
  /** The SMART authorization server: client registry, EHR launches, the SAML login hand-off. */
  smart: Pick<Smart, 'clients' | 'completeLoginUrl' | 'createLaunch' | 'principalFor'>;
  /** The access policy a principal gets for a request (tests compare its twin with the API). */
  accessFor(principal: Principal): Promise<AccessPolicy>;
  /** The HL7 v2 MLLP listener (HL7_MLLP_PORT); started by startServer beside the HTTP port. */
  hl7?: MllpListener;
  /** Outbound HL7 v2 and the message log's upkeep (retention, counts). */
  hl7Outbox: Hl7OutboxSender;
  /** Password logins of people (made and ended by the accounts of issue 17, the portal). */
  passwordAccounts: PasswordAccounts;
  /** Marks the server as draining: /readyz answers 503 from now on. */
  drain(): void;
  close(): Promise<void>;
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

/** The composition root: every module is created here and handed its dependencies. */
export interface AppOptions {
  logger?: Logger;
  /**
   * The URL the server listens on, known only after listen (port 0 in tests): the SMART issuer
   * and token audience when BASE_URL is not set.
   */
  listenUrl?: string;
  /** Login methods on the SMART login page besides the configured SAML IdPs. */
  loginOptions?: LoginOption[];
  /** Who holds an embedded database directory (named to a second process that wants it). */
  databaseRole?: string;
  /**
   * Where the access log goes: the server's own durable writer when not given. Only the
   * benchmark's reference server (bench/unlogged-server.ts) passes another, one that keeps
   * nothing, to measure what the log costs; no configuration reaches this.
   */
  auditWriter?: AuditWriter;
  /** The server's clock for what counts days (an invitation's 7 days); tests set it. */
  clock?: () => Date;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  // Read before the database opens: a broken IdP list stops the start without leaving it open.
  const samlIdps = config.saml ? loadSamlIdps(config.saml.idpsFile) : undefined;
  const db = createDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDataDir: config.pgliteDataDir,
    role: options.databaseRole ?? 'the server',
  });
  try {
    await db.migrate();
  } catch (err) {
    await db.close();
    throw err;
  }
  const { registry, indexer, engine: search } = createSearchModule(config.searchParameterFiles);
  const accessFacts = createAccessFacts(db.knex);
  const store = new ResourceStore(db.knex, withAccessFacts(indexer));
  const validator = createResourceValidator();

  // Bundle entries are dispatched through the same routes as HTTP requests, so the route
  // list is filled after the dispatcher that reads it exists.
  const routes: Route[] = [];
  const dispatch: Dispatch = createDispatcher(routes);
  routes.push(
    ...systemRoutes({
      dispatch,
      routes,
      registry,
      software: { name: 'Zorgpoort', version: pkg.version },
      onEntryError: (err, index) => logger.error({ err, index }, 'batch entry failed'),
    }),
    ...resourceRoutes,
  );
  const fhirBase = config.baseUrl ?? options.listenUrl ?? `http://${config.host}:${config.port}`;
  /** The access log of one request (or login step) of `principal`, with the basis `access` gives. */
  const auditTrailFor = (
    principal: Exclude<Principal, { kind: 'anonymous' }>,
    access: AccessPolicy,
    clientAddress?: string,
  ) =>
    createAuditTrail({
      writer: auditWriter,
      principal,
      patientsOf: search.patientsOf,
      ...(access.basisOf ? { basisOf: access.basisOf } : {}),
      server: fhirBase,
      ...(clientAddress ? { clientAddress } : {}),
    });
  const breakTheGlass = createBreakTheGlass({
    store,
    config: config.access.breakTheGlass,
    server: fhirBase,
  });
  routes.push(...patientOperationRoutes(breakTheGlass));

  const jobQueue = createJobQueue(db.knex, db.kind);
  jobQueue.on('error', (err: unknown) => logger.error({ err }, 'job queue'));
  const mailer = createMailer({
    queue: jobQueue,
    ...(config.mail.smtpUrl ? { smtpUrl: config.mail.smtpUrl } : {}),
    from: config.mail.from,
    retryDelaySeconds: config.mail.retryDelaySeconds,
    logger,
    production: config.production,
  });
  const sms = createSmsSender({
    queue: jobQueue,
    ...config.sms,
    logger,
    production: config.production,
  });
  const subscriptions = createSubscriptions({
    queue: jobQueue,
    store,
    search,
    config: config.subscriptions,
    logger,
    principalOf: (owner) =>
      ownerPrincipal(owner, { client: (id) => smartClients.active(id), person: persons.fromReference }),
    accessFor: (p) => accessFor(p),
    storeFor: (access, audit) => storeFor(access, audit),
    auditTrailFor: (p, access) => auditTrailFor(p, access),
  });
  if (config.subscriptions.allowPrivate) {
    logger.warn('SUBSCRIPTION_PRIVATE_ENDPOINTS=allow: notifications may go to http and internal addresses');
  }
  try {
    await jobQueue.start();
    await mailer.start();
    await sms.start();
    await subscriptions.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  // Kept token lookups need revocations to reach every node: Postgres only (PGlite is one process's
  // and its lookups cost no round trip).
  const tokenCacheSeconds = config.smart.tokenCacheSeconds ?? 0;
  const revocations =
    config.databaseUrl && tokenCacheSeconds > 0
      ? listenForTokenRevocations(config.databaseUrl, logger)
      : undefined;
  const tokensChanged = () => revocations?.changedHere();
  const smartClients = createClientStore(db.knex, tokensChanged);
  const passwordStore = createPasswordStore(db.knex, tokensChanged);
  const passwordAccounts = createPasswordAccounts({ store: passwordStore, scrypt: config.password.scrypt });
  routes.push(
    ...collectiveRoutes({ store, search, directory: createCollectiveDirectory({ store, search }), mailer }),
  );
  const accounts: AccountDeps & { serverStore: () => AuthorizedStore } = {
    store,
    search,
    mailer,
    clock: options.clock ?? (() => new Date()),
    publicBase: fhirBase,
    revokeTokens: (person) => createAccountTokens(db.knex, tokensChanged).revoke(person),
    ...(config.password.enabled ? { passwords: passwordAccounts } : {}),
    storeAs: (principal) => {
      const audit = auditTrailFor(principal, OPEN_ACCESS);
      return { store: storeFor(OPEN_ACCESS, audit), audit };
    },
    serverStore: () => storeFor(OPEN_ACCESS),
  };
  const practice: PracticeDeps = {
    ...accounts,
    config: config.practice,
    dispatch,
    jobs: { queue: jobQueue, logger },
    scrypt: config.password.scrypt,
    codeSecrets: config.smart.cookieKeys,
  };
  routes.push(...accountRoutes(accounts), ...practiceRoutes(practice));
  const hl7Outbox = createOutboxSender({
    outbox: () => store.hl7Outbox,
    messages: () => store.hl7,
    config: config.hl7Outbound,
    logger,
    onAccepted: receivedOnAck({ serverStore: () => storeFor(OPEN_ACCESS), search, mailer }),
  });
  hl7Outbox.start();
  routes.push(
    // The gate is made further down; the receiver is judged with it at request time.
    ...referralRoutes({
      outbound: config.hl7Outbound,
      outbox: hl7Outbox,
      accessFor: (p) => accessFor(p),
      mailer,
      sms,
      attachmentMaxBytes: config.referral.attachmentMaxBytes,
      renotify: subscriptions.renotify,
    }),
    ...hospitalRoutes({ accessFor: (p) => accessFor(p), serverStore: () => storeFor(OPEN_ACCESS) }),
    ...documentRoutes,
    ...hl7LogRoutes({
      messages: () => store.hl7,
      inTransaction: (fn) => store.transaction((tx) => fn(tx.hl7Outbox)),
      admins: config.integrationAdmins,
      wake: hl7Outbox.wake,
    }),
  );

  const conformanceTokens = config.conformanceTokensFile
    ? loadConformanceTokens(config.conformanceTokensFile, (m) => logger.warn(m))
    : undefined;
  if (conformanceTokens) {
    logger.warn(
      { file: config.conformanceTokensFile, tokens: conformanceTokens.size },
      'conformance mode: static patient tokens and Patient/$purge are on; never use this with real data',
    );
    routes.push(PURGE_ROUTE);
  }
  const persons = createPersonResolver({ store, search, logger, clock: accounts.clock });
  const auditWriter = options.auditWriter ?? createAuditWriter(store);
  const loginLog = createLoginLog({ writer: auditWriter, server: fhirBase, logger });
  // Busy: more requests in flight, on average over the last second, than two per core.
  const load = createLoadGauge();
  const busyAt = 2 * availableParallelism();
  const auditProjector = createAuditProjector({
    store,
    logger,
    busy: () => load.meanInFlight() >= busyAt,
    maxLagMs: config.auditProjectionMaxLagSeconds * 1000,
  });
  auditProjector.start();
  const storeFor = (access: AccessPolicy, audit?: AuditTrail) =>
    new AuthorizedStore(store, access, {
      maxVersions: config.limits.maxHistoryCount,
      settleLog: auditProjector.settle,
      hooks: subscriptions.hooks,
      ...(audit ? { audit } : {}),
    });
  const accessFor = createAccessFor({
    search,
    facts: accessFacts,
    read: async (type, id) => {
      const v = await store.read(type, id);
      return v?.content ? (JSON.parse(v.content) as Resource) : undefined;
    },
    auditors: config.auditors,
    dischargeGraceHours: config.access.dischargeGraceHours,
    administrationRoles: config.access.administrationRoles,
    breakTheGlass: config.access.breakTheGlass,
    approvedOnly: config.access.approvedOnly ?? [],
  });
  if (config.smart.devLogin) {
    logger.warn(
      'DEV_LOGIN=on: anyone can log in as any person on the SMART login page; never use this with real data',
    );
  }
  // The EHR launch endpoint authenticates with the same authenticator the API uses, which in
  // turn needs the SMART token lookup: the indirection breaks the cycle.
  let authenticate: ReturnType<typeof createAuthenticator> = async () => {
    throw new Error('authenticator not ready');
  };
  const smart = await createSmart({
    fhirBase,
    storage: {
      clients: smartClients,
      records: createRecordStore(db.knex),
      oidcAdapter: createOidcAdapterFactory(db.knex, (id) => smartClients.metadata(id), tokensChanged),
      bearerLookup: revocations
        ? keepBearerLookups(createBearerLookup(db.knex), revocations, {
            seconds: tokenCacheSeconds,
            max: 10_000,
          })
        : createBearerLookup(db.knex),
    },
    persons,
    authenticate: (credentials) => authenticate(credentials),
    ...patientPicker({ accessFor, storeFor, read: (type, id) => store.read(type, id), auditTrailFor }),
    logger,
    jwksFile: config.smart.jwksFile,
    cookieKeys: config.smart.cookieKeys,
    devLogin: config.smart.devLogin,
    backendTokenSeconds: config.smart.backendTokenSeconds,
    loginLog,
    loginOptions: [
      ...(config.saml && samlIdps ? smartLoginOptions(config.saml, samlIdps) : []),
      ...(options.loginOptions ?? []),
    ],
    ...(config.password.enabled
      ? {
          password: {
            login: createPasswordLogin({ store: passwordStore, config: config.password, sms, mailer }),
            publicBase: fhirBase,
            personActive: async (reference: string) => {
              const [type, id] = reference.split('/');
              const v = type && id ? await store.read(type, id) : undefined;
              return (
                (v?.content ? (JSON.parse(v.content) as { active?: boolean }).active : undefined) !== false
              );
            },
          },
        }
      : {}),
  }).catch(async (err: unknown) => {
    await revocations?.close(); // its connection would keep the process alive
    throw err;
  });
  const authenticateOnly = createAuthenticator({ persons, conformanceTokens, bearer: smart.principalFor });
  // Credentials presented and refused (an unknown or expired token, an untrusted card) are a
  // refused login, on the API and the EHR launch endpoint alike.
  authenticate = (credentials) =>
    authenticateOnly(credentials).catch(async (err: unknown) => {
      const byCard = credentials.authorization === undefined;
      const uziNumber = byCard && credentials.socket ? presentedUziNumber(credentials.socket) : undefined;
      await loginLog.refused(err, {
        method: byCard ? 'uzi-certificate' : 'bearer-token',
        ...(uziNumber ? { uziNumber } : {}),
        ...(credentials.address ? { address: credentials.address } : {}),
      });
      throw err;
    });
  const context = restContext({
    authenticate: (credentials) => authenticate(credentials),
    accessFor,
    auditTrailFor,
    storeFor,
    base: { search, validator, limits: config.limits },
  });

  // HL7 v2 over MLLP (HL7_MLLP_PORT): each message applied as its sender's backend client.
  const hl7 = createHl7Listener({
    config: config.hl7,
    activeClient: (clientId) => smartClients.active(clientId),
    accessFor: (principal) => accessFor(principal),
    auditTrailFor: (principal, access) => auditTrailFor(principal, access),
    context: (principal, access, audit) => ({
      principal,
      store: storeFor(access, audit),
      search,
      validator,
      limits: config.limits,
      baseUrl: fhirBase,
      audit,
    }),
    dispatch,
    messages: () => store.hl7,
    logger,
  });

  let draining = false;
  const health = healthRoutes({ ping: () => db.ping(), draining: () => draining });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(load.middleware);
  app.use(requestContext(logger, config.baseUrl));
  app.get('/healthz', health.healthz);
  app.get('/readyz', health.readyz);
  if (config.password.enabled) {
    app.use(
      passwordResetRoutes({
        reset: createPasswordReset({
          store: passwordStore,
          config: config.password,
          mailer,
          resetUrl: (token) => `${new URL(fhirBase).origin}${RESET_PATH}/${token}`,
        }),
        resetSeconds: config.password.resetSeconds,
        publicBase: fhirBase,
        logger,
      }),
    );
  }
  app.use(smart.router);
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
        onLogin: samlLoginInto(smart),
        loginLog,
        logger,
      }),
    );
  }
  app.use(invitationRoutes({ accounts, authenticate: (authorization) => authenticate({ authorization }) }));
  if (config.practice.enabled && config.password.enabled) {
    app.use(portalRegistrationRoutes(practice, logger));
  }
  app.use(fhirHandler({ dispatch, context, limits: config.limits, logger }));
  app.use(errorHandler(logger));

  return {
    express: app,
    db,
    logger,
    smart,
    accessFor,
    /** The MLLP listener, when HL7_MLLP_PORT is set; the server starts it with the HTTP port. */
    hl7,
    hl7Outbox,
    passwordAccounts,
    drain: () => {
      draining = true;
    },
    close: async () => {
      await hl7?.stop();
      await hl7Outbox.stop();
      await loginLog.close();
      await auditProjector.stop();
      await revocations?.close();
      await jobQueue.stop({ graceful: true, timeout: 5_000 });
      await db.close();
    },
  };
}
