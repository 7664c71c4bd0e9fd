import type { Logger } from 'pino';
import type { Resource } from '../fhir/storage/types.ts';
import type { AuditWriter } from './audit-writer.ts';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const NS = 'http://fhir.nl/fhir/NamingSystem/';

/** How someone tried to authenticate. */
export type LoginMethod =
  | 'uzi-certificate'
  | 'saml'
  | 'dev-login'
  /** E-mail and password, then a one-time code (server/auth/password). */
  | 'password'
  | 'bearer-token'
  | 'client_credentials'
  | 'authorization_code'
  | 'refresh_token'
  /** A token request with a missing or unsupported grant_type. */
  | 'token-request';

/** One login or token request, accepted or refused. */
export interface LoginAttempt {
  method: LoginMethod;
  outcome: 'success' | 'refused';
  /** Who logged in (a success): `Practitioner/…`, `Patient/…`, `RelatedPerson/…`. */
  person?: string;
  /** The UZI number the attempt presented (from the card, even one refused). */
  uziNumber?: string;
  /** The login name (e-mail) a refused password attempt presented. */
  login?: string;
  /** The app or system client that asked (its client_id). */
  clientId?: string;
  /** The organisation the login was for (URA as `Organization/…` id). */
  organization?: string;
  /** The SAML IdP the answer came from. */
  idp?: string;
  /** Why it was refused, as told to the caller. */
  reason?: string;
  address?: string;
}

/**
 * The access log's record of logins (NEN 7513 asks for who logged in, when, from where, and
 * failed attempts): IHE BALP's User Authentication event (DICOM 110114, subtype 110122 Login),
 * outcome 0 or 4, with the method as a second subtype. A refused attempt names only what it
 * presented (a UZI number, a client id), never a person reference: an unverified claim must
 * not land in that person's own log. A successful patient login names the patient as agent,
 * so it is in their log (`AuditEvent?patient=`).
 */
export function buildLoginEvent(a: LoginAttempt, recorded: Date, server: string): Resource {
  const who = a.person
    ? { reference: a.person }
    : a.uziNumber
      ? { identifier: { system: `${NS}uzi-nr-pers`, value: a.uziNumber } }
      : a.login
        ? { identifier: { system: 'http://zorgpoort.nl/fhir/NamingSystem/password-login', value: a.login } }
        : { display: 'unknown' };
  const clientWho = a.clientId
    ? {
        identifier: { system: 'http://zorgpoort.nl/fhir/NamingSystem/client-id', value: a.clientId },
        display: a.clientId,
      }
    : { display: a.method };
  const system = a.method === 'client_credentials' || a.method === 'token-request';
  const organization = a.organization
    ? [
        {
          url: 'http://zorgpoort.nl/fhir/StructureDefinition/audit-agent-organization',
          valueReference: { reference: `Organization/${a.organization}` },
        },
      ]
    : undefined;
  const network = a.address ? { network: { address: a.address, type: '2' } } : {};
  return {
    resourceType: 'AuditEvent',
    type: { system: DCM, code: '110114', display: 'User Authentication' },
    subtype: [
      { system: DCM, code: '110122', display: 'Login' },
      { system: 'http://zorgpoort.nl/fhir/CodeSystem/login-method', code: a.method },
    ],
    action: 'E',
    recorded: recorded.toISOString(),
    outcome: a.outcome === 'success' ? '0' : '4',
    ...(a.reason ? { outcomeDesc: a.reason.slice(0, 1000) } : {}),
    agent: [
      ...(system
        ? []
        : [
            {
              type: {
                coding: [
                  {
                    system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type',
                    code: 'humanuser',
                    display: 'human user',
                  },
                ],
              },
              who,
              requestor: true,
              ...(organization ? { extension: organization } : {}),
              ...network,
            },
          ]),
      {
        type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
        who: clientWho,
        requestor: system,
        ...(system && organization ? { extension: organization } : {}),
        ...network,
      },
      {
        type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] },
        who: { display: server },
        requestor: false,
        network: { address: server, type: '5' },
      },
    ],
    source: {
      observer: { display: server },
      ...(a.idp ? { site: `SAML IdP ${a.idp}` } : {}),
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
  } as Resource;
}

export interface LoginLog {
  /**
   * Records an attempt, durably. A success waits for it (a login is not finished unlogged); a
   * refusal never fails because of it: the refusal discloses nothing, and its log failing is
   * itself logged.
   */
  record(attempt: LoginAttempt): Promise<void>;
  /**
   * Records `err` as a refused attempt when it is one (401 or 403: the credentials were looked
   * at and refused), with its message as the reason; any other error is not a login's outcome.
   */
  refused(err: unknown, attempt: Omit<LoginAttempt, 'outcome' | 'reason'>): Promise<void>;
  /** Writes what the refusal limit held back, and stops its timer. */
  close(): Promise<void>;
}

/** Refused attempts written one by one per method, address and minute; beyond it, counted. */
export const REFUSALS_PER_MINUTE = 20;
/** Callers tracked at once; past it, a new one's refusals are written without a limit. */
const MAX_TRACKED = 10_000;

interface RefusalWindow {
  start: number;
  written: number;
  held: number;
  last?: LoginAttempt;
}

/**
 * The access log's login events. Every refusal is kept, but a caller who tries again and again
 * (a script with a bad token, a password sprayer) is written one by one only up to
 * REFUSALS_PER_MINUTE per method and address; the rest of that minute is one event saying how
 * many more there were, so a flood of refusals cannot fill the log or crowd out the requests'
 * own events.
 */
export function createLoginLog(deps: {
  writer: AuditWriter;
  server: string;
  logger: Pick<Logger, 'error'>;
  /** The refusal limit's window (a minute; shorter in tests). */
  windowMs?: number;
}): LoginLog {
  const MINUTE = deps.windowMs ?? 60_000;
  const windows = new Map<string, RefusalWindow>();
  const write = (attempt: LoginAttempt) =>
    deps.writer.write([buildLoginEvent(attempt, new Date(), deps.server)]);
  const writeRefusal = async (attempt: LoginAttempt) => {
    try {
      await write(attempt);
    } catch (err) {
      deps.logger.error({ err, method: attempt.method }, 'refused login not written to the access log');
    }
  };
  /** The event for what a window held back. */
  const summarise = (w: RefusalWindow) =>
    w.held && w.last
      ? writeRefusal({
          ...w.last,
          reason:
            `${w.held} more refused attempts like this one within ${MINUTE / 1000} s from ` +
            `${new Date(w.start).toISOString()}, not written one by one (last: ${w.last.reason ?? 'no reason'})`,
        })
      : Promise.resolve();
  const flush = async (all: boolean) => {
    const now = Date.now();
    for (const [key, w] of windows) {
      if (!all && now - w.start < MINUTE) continue;
      windows.delete(key);
      await summarise(w);
    }
  };
  const timer = setInterval(() => void flush(false), MINUTE);
  timer.unref();
  const log: LoginLog = {
    async record(attempt) {
      if (attempt.outcome === 'success') return write(attempt);
      const key = `${attempt.method} ${attempt.address ?? ''}`;
      const now = Date.now();
      let w = windows.get(key);
      if (w && now - w.start >= MINUTE) {
        windows.delete(key);
        await summarise(w);
        w = undefined;
      }
      if (!w) {
        if (windows.size >= MAX_TRACKED) return writeRefusal(attempt);
        w = { start: now, written: 0, held: 0 };
        windows.set(key, w);
      }
      if (w.written < REFUSALS_PER_MINUTE) {
        w.written++;
        return writeRefusal(attempt);
      }
      w.held++;
      w.last = attempt;
    },
    async refused(err, attempt) {
      const status = (err as { status?: number } | undefined)?.status;
      if (status !== 401 && status !== 403) return;
      await log.record({ ...attempt, outcome: 'refused', reason: (err as Error).message });
    },
    async close() {
      clearInterval(timer);
      await flush(true);
    },
  };
  return log;
}
