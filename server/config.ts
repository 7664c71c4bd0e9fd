import { envNumber } from './env-number.ts';
import type { SubscriptionConfig } from './fhir/subscriptions/notifications.ts';
import { hl7Config, type Hl7Config } from './hl7v2/config.ts';
import { passwordConfig, type PasswordConfig } from './auth/password/config.ts';
import { practiceConfig, type PracticeConfig } from './domain/practice/config.ts';
import { hl7OutboundConfig, type Hl7OutboundConfig } from './hl7v2/outbound-config.ts';
import { networkMatcher } from './access/rules/break-the-glass.ts';
/**
 * All configuration comes from the environment, read once here and passed down.
 * Nothing below the composition root reads process.env.
 */
export interface Config {
  port: number;
  host: string;
  /** Public base URL used in fullUrl, Location and paging links; derived from the request when unset. */
  baseUrl?: string;
  /** postgres://… when set; otherwise the embedded PGlite database. */
  databaseUrl?: string;
  /** PGlite data directory; `memory://` keeps everything in memory (tests). */
  pgliteDataDir: string;
  limits: {
    maxBodyBytes: number;
    maxJsonDepth: number;
    maxXmlDepth: number;
    maxBundleEntries: number;
    maxHistoryCount: number;
    defaultHistoryCount: number;
    /** Page size of a search without `_count`, and the largest `_count` accepted. */
    defaultSearchCount: number;
    maxSearchCount: number;
    /** Resources added by `_include`/`_revinclude` to one page, at most. */
    maxIncludes: number;
  };
  /** Extra SearchParameter Bundles (JSON files) loaded after the official and our own. */
  searchParameterFiles: string[];
  /**
   * Practitioner ids who read the whole access log (the privacy officer). Configuration, not
   * FHIR data: no one can make themselves an auditor through the API.
   */
  auditors: string[];
  /**
   * How long the access log's background indexing may wait while the node is busy
   * (AUDIT_PROJECTION_MAX_LAG_SECONDS, default 30; 0: it never waits). The log itself is
   * durable before each answer either way, and a read of the log never waits for it.
   */
  auditProjectionMaxLagSeconds: number;
  access: {
    /** How long a relationship through an Encounter or EpisodeOfCare holds after its end (discharge). */
    dischargeGraceHours: number;
    /**
     * PractitionerRole codes (`system|code`) that are administration, not care: a login whose
     * roles are all of these sees no patient's data.
     */
    administrationRoles: string[];
    /**
     * Break-the-glass: who may open one patient's record in an emergency. Off while
     * `organizations` is empty. Roles and organisations: `system|code` of a PractitionerRole
     * code / Organization.type, or `Organization/<id>`; `roles` empty: any role there.
     * `networks` (CIDRs): when set, only from those addresses as well (a post's own network).
     */
    breakTheGlass: { roles: string[]; organizations: string[]; networks?: string[]; hours: number };
    /**
     * Organisations (ids, from `Organization/<id>`) whose rows anyone outside them sees only when
     * approved (verified, final): ACCESS_APPROVED_ONLY, the hospitals of the caregiver portal.
     */
    approvedOnly?: string[];
  };
  logLevel: string;
  /** How long graceful shutdown waits for in-flight requests. */
  shutdownGraceMs: number;
  /** NODE_ENV=production: settings meant for testing only are refused. */
  production: boolean;
  /**
   * Static per-patient bearer tokens for the Nictiz qualification TestScripts
   * (QualificationTokens.json format); also routes Patient/[id]/$purge. Off by default.
   */
  conformanceTokensFile?: string;
  /**
   * Outgoing mail (invitations, reminders): delivered over SMTP_URL (`smtp://user:pass@host:587`,
   * `smtps://…`) through a durable outbox in the database; without it, written to the server log.
   */
  mail: { smtpUrl?: string; from: string; retryDelaySeconds: number };
  /**
   * Outgoing text messages (one-time codes, a referral's notice to the patient): POSTed as JSON
   * to SMS_WEBHOOK_URL through a durable outbox; without it, written to the server log.
   */
  sms: { webhookUrl?: string; authorization?: string };
  /** Referrals (server/domain/referral): the largest attachment (REFERRAL_ATTACHMENT_MAX_BYTES, default 20 MB). */
  referral: { attachmentMaxBytes: number };
  /**
   * HTTPS instead of HTTP. With UZI CAs, clients may log in with a UZI card (mutual TLS): only
   * certificates chaining to those CAs and not on the revocation lists are accepted.
   */
  tls?: { certFile: string; keyFile: string; uziCaFiles: string[]; uziCrlFiles: string[] };
  /** The HL7 v2 MLLP listener (server/hl7v2); off unless HL7_MLLP_PORT is set. */
  hl7?: Hl7Config;
  /** Outbound HL7 v2 (server/hl7v2/outbox.ts): where messages for each receiving organisation go. */
  hl7Outbound: Hl7OutboundConfig;
  /** Who may read the HL7 v2 message log: `Practitioner/<id>` or `client/<client id>` (INTEGRATION_ADMINS). */
  integrationAdmins: string[];
  /**
   * REST-hook Subscriptions (server/fhir/subscriptions): SUBSCRIPTION_PRIVATE_ENDPOINTS=allow lets
   * endpoints be http and internal addresses (tests and closed networks only; off by default),
   * SUBSCRIPTION_RETRY_LIMIT retries (default 10) from SUBSCRIPTION_RETRY_SECONDS (default 10,
   * doubling to an hour) before a subscription goes to `error`, SUBSCRIPTION_TIMEOUT_SECONDS per POST.
   */
  subscriptions: SubscriptionConfig;
  smart: {
    /** Private JWKS the authorization server signs id tokens with; unset → an ephemeral key. */
    jwksFile?: string;
    /** Keys that sign the login cookies (the first signs, all verify); the same on every node. */
    cookieKeys: string[];
    /** A login page where one types a person reference: demos and tests only. */
    devLogin: boolean;
    /** Lifetime of backend-services access tokens (default 300: SMART asks for at most five minutes). */
    backendTokenSeconds?: number;
    /**
     * How long a node keeps a token's lookup (0: never). Only on PostgreSQL, and only while the
     * node listens for revocations, which empty it at once on every node.
     */
    tokenCacheSeconds?: number;
  };
  /** SAML 2.0 login (caregivers through a UZI-pas IdP, patients DigiD-style); off when unset. */
  saml?: SamlConfig;
  /** Password logins with a one-time code (server/auth/password). */
  password: PasswordConfig;
  /** The GP practice's patient portal (server/domain/practice). */
  practice: PracticeConfig;
}

export interface SamlConfig {
  /** JSON list of IdPs (server/auth/saml/idp-config.ts). */
  idpsFile: string;
  /** Our entity id: the Issuer of our AuthnRequests and the audience assertions must name. */
  spEntityId: string;
  /** Public base URL of our SAML endpoints; ACS URLs (and the Destination we expect) derive from it. */
  spBaseUrl: string;
  /** PEM key and certificate to sign AuthnRequests with (and publish in our metadata). */
  spKeyFile?: string;
  spCertFile?: string;
  /** Tolerated clock difference with an IdP. */
  clockSkewMs: number;
  /** How long after its IssueInstant an assertion is still accepted. */
  maxAssertionAgeMs: number;
  /** How long an AuthnRequest may wait for its answer (the user logging in at the IdP). */
  requestTtlMs: number;
}

/** More skew than this would make the time checks meaningless. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

function list(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}

function tlsConfig(env: NodeJS.ProcessEnv): Config['tls'] {
  const certFile = env.TLS_CERT_FILE || undefined;
  const keyFile = env.TLS_KEY_FILE || undefined;
  const uziCaFiles = list(env, 'UZI_CA_FILES');
  const uziCrlFiles = list(env, 'UZI_CRL_FILES');
  if (!certFile || !keyFile) {
    if (certFile || keyFile || uziCaFiles.length || uziCrlFiles.length) {
      throw new Error(
        'TLS_CERT_FILE and TLS_KEY_FILE are both needed for HTTPS (and for UZI_CA_FILES/UZI_CRL_FILES)',
      );
    }
    return undefined;
  }
  if (uziCrlFiles.length && !uziCaFiles.length) throw new Error('UZI_CRL_FILES needs UZI_CA_FILES');
  return { certFile, keyFile, uziCaFiles, uziCrlFiles };
}

function samlConfig(env: NodeJS.ProcessEnv): SamlConfig | undefined {
  const idpsFile = env.SAML_IDPS_FILE || undefined;
  const spEntityId = env.SAML_SP_ENTITY_ID || undefined;
  const spBaseUrl = (env.SAML_SP_BASE_URL || env.BASE_URL || '').replace(/\/+$/, '') || undefined;
  const spKeyFile = env.SAML_SP_KEY_FILE || undefined;
  const spCertFile = env.SAML_SP_CERT_FILE || undefined;
  if (!idpsFile) {
    if (spEntityId || spKeyFile || spCertFile || env.SAML_SP_BASE_URL) {
      throw new Error('SAML_SP_* settings need SAML_IDPS_FILE (the IdPs to log in with)');
    }
    return undefined;
  }
  if (!spEntityId) throw new Error('SAML_IDPS_FILE needs SAML_SP_ENTITY_ID');
  // The ACS URL is checked against each response's Destination, so it cannot come from a Host header.
  if (!spBaseUrl) throw new Error('SAML_IDPS_FILE needs SAML_SP_BASE_URL (or BASE_URL)');
  if (!/^https?:\/\//.test(spBaseUrl)) throw new Error('SAML_SP_BASE_URL must be an http(s) URL');
  if (!spKeyFile !== !spCertFile) throw new Error('SAML_SP_KEY_FILE and SAML_SP_CERT_FILE go together');
  const clockSkewMs = int(env, 'SAML_CLOCK_SKEW_MS', 30_000);
  if (clockSkewMs > MAX_CLOCK_SKEW_MS) {
    throw new Error(`SAML_CLOCK_SKEW_MS may be at most ${MAX_CLOCK_SKEW_MS}`);
  }
  const maxAssertionAgeMs = int(env, 'SAML_MAX_ASSERTION_AGE_MS', 5 * 60_000);
  // 0 would mean "no limit" to the SAML library.
  if (maxAssertionAgeMs === 0) throw new Error('SAML_MAX_ASSERTION_AGE_MS must be positive');
  const requestTtlMs = int(env, 'SAML_REQUEST_TTL_MS', 10 * 60_000);
  if (requestTtlMs === 0) throw new Error('SAML_REQUEST_TTL_MS must be positive');
  return {
    idpsFile,
    spEntityId,
    spBaseUrl,
    spKeyFile,
    spCertFile,
    clockSkewMs,
    maxAssertionAgeMs,
    requestTtlMs,
  };
}

/** A positive number, fractions allowed (hours: 0.5 is half an hour). */
/** ACCESS_BTG_NETWORKS: checked at the start, so a malformed network stops it (networkMatcher). */
function btgNetworks(env: NodeJS.ProcessEnv): string[] {
  const networks = list(env, 'ACCESS_BTG_NETWORKS');
  networkMatcher(networks);
  return networks;
}

function subscriptionConfig(env: NodeJS.ProcessEnv): SubscriptionConfig {
  const flag = env.SUBSCRIPTION_PRIVATE_ENDPOINTS ?? '';
  if (flag !== '' && flag !== 'allow' && flag !== 'deny') {
    throw new Error(`SUBSCRIPTION_PRIVATE_ENDPOINTS is 'allow' or 'deny', got '${flag}'`);
  }
  return {
    allowPrivate: flag === 'allow',
    retryLimit: int(env, 'SUBSCRIPTION_RETRY_LIMIT', 10),
    retryDelaySeconds: positive(env, 'SUBSCRIPTION_RETRY_SECONDS', 10),
    timeoutMs: positive(env, 'SUBSCRIPTION_TIMEOUT_SECONDS', 10) * 1000,
  };
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`);
  return n;
}

const int = (env: NodeJS.ProcessEnv, name: string, fallback: number) =>
  envNumber(env, name, fallback, { integer: true });

/** Our CodeSystem of care-collective roles (administrator, beheerder, casemanager, caregiver). */
export const COLLECTIVE_ROLE_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/collective-role';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const conformanceTokensFile = env.CONFORMANCE_TOKENS_FILE || undefined;
  if (production && conformanceTokensFile) {
    // Static tokens never expire and name a patient outright: a test fixture, never a login.
    throw new Error('CONFORMANCE_TOKENS_FILE is refused when NODE_ENV=production');
  }
  const devLogin = env.DEV_LOGIN === 'on';
  if (env.DEV_LOGIN !== undefined && env.DEV_LOGIN !== '' && !['on', 'off'].includes(env.DEV_LOGIN)) {
    throw new Error(`DEV_LOGIN must be 'on' or 'off', got '${env.DEV_LOGIN}'`);
  }
  if (production && devLogin) {
    // Anyone could log in as anyone: a demo and test path, never a production login.
    throw new Error('DEV_LOGIN=on is refused when NODE_ENV=production');
  }
  return {
    port: int(env, 'PORT', 8080),
    host: env.HOST ?? '127.0.0.1',
    baseUrl: env.BASE_URL?.replace(/\/+$/, '') || undefined,
    databaseUrl: env.DATABASE_URL || undefined,
    pgliteDataDir: env.PGLITE_DATA_DIR ?? './data/pglite',
    limits: {
      maxBodyBytes: int(env, 'MAX_BODY_BYTES', 50 * 1024 * 1024),
      maxJsonDepth: int(env, 'MAX_JSON_DEPTH', 64),
      maxXmlDepth: int(env, 'MAX_XML_DEPTH', 100),
      maxBundleEntries: int(env, 'MAX_BUNDLE_ENTRIES', 10_000),
      maxHistoryCount: int(env, 'MAX_HISTORY_COUNT', 1000),
      defaultHistoryCount: int(env, 'DEFAULT_HISTORY_COUNT', 50),
      defaultSearchCount: int(env, 'DEFAULT_SEARCH_COUNT', 50),
      maxSearchCount: int(env, 'MAX_SEARCH_COUNT', 1000),
      maxIncludes: int(env, 'MAX_INCLUDES', 1000),
    },
    searchParameterFiles: list(env, 'SEARCH_PARAMETER_FILES'),
    auditors: list(env, 'AUDITORS').map((ref) => ref.replace(/^Practitioner\//, '')),
    auditProjectionMaxLagSeconds: int(env, 'AUDIT_PROJECTION_MAX_LAG_SECONDS', 30),
    access: {
      dischargeGraceHours: int(env, 'ACCESS_DISCHARGE_GRACE_HOURS', 24),
      administrationRoles: env.ACCESS_ADMINISTRATION_ROLES
        ? list(env, 'ACCESS_ADMINISTRATION_ROLES')
        : [`${COLLECTIVE_ROLE_SYSTEM}|administrator`],
      breakTheGlass: {
        roles: list(env, 'ACCESS_BTG_ROLES'),
        organizations: list(env, 'ACCESS_BTG_ORGANIZATIONS'),
        networks: btgNetworks(env),
        hours: positive(env, 'ACCESS_BTG_HOURS', 12),
      },
      approvedOnly: organizationIds(env, 'ACCESS_APPROVED_ONLY'),
    },
    logLevel: env.LOG_LEVEL ?? 'info',
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000),
    production,
    conformanceTokensFile,
    tls: tlsConfig(env),
    mail: {
      ...(env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {}),
      from: env.MAIL_FROM || 'Zorgpoort <noreply@zorgpoort.invalid>',
      // The first retry of a mail the server refused or could not reach; then doubling, to an hour.
      retryDelaySeconds: positive(env, 'MAIL_RETRY_SECONDS', 10),
    },
    referral: { attachmentMaxBytes: int(env, 'REFERRAL_ATTACHMENT_MAX_BYTES', 20 * 1024 * 1024) },
    sms: {
      ...(env.SMS_WEBHOOK_URL ? { webhookUrl: env.SMS_WEBHOOK_URL } : {}),
      ...(env.SMS_WEBHOOK_AUTHORIZATION ? { authorization: env.SMS_WEBHOOK_AUTHORIZATION } : {}),
    },
    smart: {
      jwksFile: env.SMART_JWKS_FILE || undefined,
      cookieKeys: list(env, 'SMART_COOKIE_KEYS'),
      devLogin,
      backendTokenSeconds: int(env, 'SMART_BACKEND_TOKEN_SECONDS', 300),
      tokenCacheSeconds: int(env, 'TOKEN_CACHE_SECONDS', 30),
    },
    saml: samlConfig(env),
    password: passwordConfig(env),
    practice: practiceConfig(env),
    hl7: hl7Config(env, env.HOST ?? '127.0.0.1'),
    hl7Outbound: hl7OutboundConfig(env),
    integrationAdmins: list(env, 'INTEGRATION_ADMINS'),
    subscriptions: subscriptionConfig(env),
  };
}

/** `Organization/<id>` (or a bare id) each; anything else would silently match nothing. */
function organizationIds(env: NodeJS.ProcessEnv, name: string): string[] {
  return list(env, name).map((ref) => {
    const id = ref.replace(/^Organization\//, '');
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) {
      throw new Error(`${name}: '${ref}' is not Organization/<id>`);
    }
    return id;
  });
}
