import { randomBytes } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import express, { type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import { FhirError } from '../../fhir/errors.ts';
import type { Logger } from 'pino';
import type { LoginLog, LoginMethod } from '../../audit/login-log.ts';
import type { ClientStore } from '../../fhir/storage/auth/client-store.ts';
import type { RecordStore } from '../../fhir/storage/auth/oidc-adapter.ts';
import { personReference, type PersonPrincipal } from '../principal.ts';
import type { PersonResolver } from '../resolve-person.ts';
import { presentedUziNumber, uziCardOf } from '../uzi/uzi-login.ts';
import { consentPage, errorPage, loginPage } from './pages.ts';
import {
  passwordInteractionRoutes,
  type PasswordInteractionOptions,
} from '../password/interaction-routes.ts';
import { FORGOT_PATH } from '../password/reset-routes.ts';
import {
  CONTEXT_MODEL,
  INTERACTION_PATH,
  LAUNCH_MODEL,
  LIFETIMES,
  type LaunchContext,
  type StoredLaunch,
} from './provider.ts';
import { grantableResourceScopes, hasScope, oidcScopes } from './scopes.ts';

/** A login option beside the built-in ones (SAML IdPs): a link that starts that login for an interaction. */
export interface LoginOption {
  label: string;
  href(uid: string): string;
}

export interface PatientDirectory {
  /**
   * Patients a caregiver may pick from (`launch/patient` without an EHR launch): only those the
   * gate lets them see.
   */
  list(who: PersonPrincipal): Promise<{ id: string; label: string }[]>;
  /** Whether the patient exists and the person may see them (a hidden one is as missing). */
  exists(who: PersonPrincipal, id: string): Promise<boolean>;
}

/** A refusal shown on the page (the status says which kind). */
function refuse(status: number, message: string): never {
  throw new FhirError(status, message);
}

const TICKET_MODEL = 'LoginTicket';
/**
 * The organisation a browser session's login was for, by session uid: a later authorization in
 * the same session skips the login (single sign-on) and so has no login submission to carry it.
 */
const SESSION_ORGANIZATION_MODEL = 'SessionOrganization';
/** Long enough for a redirect after an IdP answered, short enough that a leaked URL is useless. */
const TICKET_SECONDS = 120;

interface Ticket {
  uid: string;
  person: string;
  /** The organisation the login was for (a caregiver's SAML login names its URA). */
  organization?: string;
}

/**
 * The pages oidc-provider sends the user to: log in (UZI-pas over TLS, development login, or a
 * listed login option such as a SAML IdP that comes back through a one-time ticket URL), then
 * allow the app's scopes and, for a caregiver's standalone `launch/patient`, pick the patient.
 */
export function createInteractions(deps: {
  provider: Provider;
  fhirBase: string;
  clients: ClientStore;
  records: RecordStore;
  persons: PersonResolver;
  patients: PatientDirectory;
  devLogin: boolean;
  loginOptions: LoginOption[];
  loginLog: LoginLog;
  logger: Logger;
  /** Password logins with a one-time code (server/auth/password); off when absent. */
  password?: PasswordInteractionOptions;
}) {
  const { provider, fhirBase, clients, records, persons, patients } = deps;
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const html = (res: Response, status: number, body: string) =>
    res.status(status).set('Cache-Control', 'no-store').type('html').send(body);

  const cardOf = (req: Request) => (req.socket instanceof TLSSocket ? uziCardOf(req.socket) : undefined);

  /**
   * The organisation the login of this authorization was for (set by finishLogin), if any. A
   * login in this interaction says it (or that there is none) and it is kept with the browser
   * session; with single sign-on there was no login here, and the session's login says it.
   */
  async function loginOrganization(details: InteractionDetails): Promise<string | undefined> {
    const submission = details.lastSubmission as
      { login?: unknown; zorgpoort?: { organization?: string } } | undefined;
    const uid = details.session?.uid;
    if (submission?.login) {
      const organization = submission.zorgpoort?.organization;
      if (uid) {
        await records.put(
          SESSION_ORGANIZATION_MODEL,
          uid,
          organization ? { organization } : {},
          LIFETIMES.Session,
        );
      }
      return organization;
    }
    return uid
      ? (await records.get<{ organization?: string }>(SESSION_ORGANIZATION_MODEL, uid))?.organization
      : undefined;
  }

  /** The end of every login here: it is in the access log before the app can have a code. */
  async function finishLogin(
    req: Request,
    res: Response,
    details: InteractionDetails,
    person: PersonPrincipal,
  ) {
    // A SAML login was logged when its assertion was verified (saml-routes.ts).
    if (person.via !== 'saml')
      await deps.loginLog.record({
        method: person.via as LoginMethod,
        outcome: 'success',
        person: personReference(person),
        clientId: String(details.params.client_id),
        ...(person.kind === 'practitioner' && person.organizationId
          ? { organization: person.organizationId }
          : {}),
        ...(req.socket.remoteAddress ? { address: req.socket.remoteAddress } : {}),
      });
    await provider.interactionFinished(
      req,
      res,
      {
        login: { accountId: personReference(person), amr: [person.via] },
        // The organisation the login was for: the consent step puts it in the grant's context.
        ...(person.kind === 'practitioner' && person.organizationId
          ? { zorgpoort: { organization: person.organizationId } }
          : {}),
      },
      { mergeWithLastSubmission: false },
    );
  }

  /** A login step: a refusal (401/403) is in the access log before the page tells it. */
  const loginStep =
    (method: LoginMethod, handler: (req: Request, res: Response) => Promise<void>) =>
    async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } catch (err) {
        const card = method === 'uzi-certificate' && req.socket instanceof TLSSocket;
        const uziNumber = card ? presentedUziNumber(req.socket as TLSSocket) : undefined;
        await deps.loginLog.refused(err, {
          method,
          ...(uziNumber ? { uziNumber } : {}),
          ...(req.socket.remoteAddress ? { address: req.socket.remoteAddress } : {}),
        });
        throw err;
      }
    };

  /** Renders errors as a page: these are browser pages, not FHIR API answers. */
  const page =
    (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } catch (err) {
        const status = (err as { status?: number }).status ?? 500;
        if (status >= 500) deps.logger.error({ err }, 'SMART interaction failed');
        const message =
          status >= 500
            ? 'Something went wrong; start the login from the app again.'
            : (err as Error).message;
        if (!res.headersSent) html(res, status, errorPage(message));
      }
    };

  /** The login page of an interaction, with the refusal of a login tried on it (`error`). */
  async function showLogin(
    req: Request,
    res: Response,
    details: InteractionDetails,
    status: number,
    error?: string,
  ) {
    const client = await clients.active(String(details.params.client_id));
    let uziCard: { name: string } | undefined;
    try {
      const card = cardOf(req);
      if (card) uziCard = { name: `UZI ${card.uziNumber}` };
    } catch (err) {
      error ??= (err as Error).message;
    }
    const options = deps.loginOptions.map((o) => ({ label: o.label, href: o.href(details.uid) }));
    html(
      res,
      status,
      loginPage({
        action: `${INTERACTION_PATH}/${details.uid}`,
        clientName: client?.name ?? 'An app',
        uziCard,
        devLogin: deps.devLogin,
        options,
        ...(deps.password ? { password: { forgotHref: FORGOT_PATH } } : {}),
        error,
      }),
    );
  }

  router.get(
    `${INTERACTION_PATH}/:uid`,
    page(async (req, res) => {
      const details = await provider.interactionDetails(req, res);
      const client = await clients.active(String(details.params.client_id));
      const action = `${INTERACTION_PATH}/${details.uid}`;
      const clientName = client?.name ?? 'An app';
      if (details.prompt.name === 'login') {
        await showLogin(req, res, details, 200);
        return;
      }
      const accountId = details.session?.accountId ?? '';
      const person = await persons.fromReference(accountId, 'smart', await loginOrganization(details));
      const scope = details.params.scope;
      const context = await launchContext(details.params, person);
      const needsPick =
        hasScope(scope, 'launch/patient') && !context.patient && person.kind === 'practitioner';
      html(
        res,
        200,
        consentPage({
          action,
          clientName,
          person: accountId,
          scopes: [
            ...oidcScopes(scope),
            ...grantableResourceScopes(scope, client?.scope, ['patient', 'user']),
          ],
          ...(needsPick ? { patients: await patients.list(person) } : {}),
          ...(context.patient ? { patient: context.patient } : {}),
        }),
      );
    }),
  );

  /** The launch context a grant gets: an EHR launch's, the patient themself, or none yet. */
  /**
   * The launch context of an authorization. An EHR launch made by a caregiver is theirs alone
   * (a shared workstation's session may still be someone else's), and is used up by the
   * consent that uses it (`consume`).
   */
  async function launchContext(
    params: Record<string, string | undefined>,
    person: PersonPrincipal,
    consume = false,
  ): Promise<LaunchContext> {
    if (params.launch && hasScope(params.scope, 'launch')) {
      const launch = consume
        ? await records.take<StoredLaunch>(LAUNCH_MODEL, params.launch)
        : await records.get<StoredLaunch>(LAUNCH_MODEL, params.launch);
      if (!launch) refuse(400, 'The EHR launch has expired or was used; launch the app again');
      if (launch.createdBy && launch.createdBy !== personReference(person)) {
        refuse(403, `This launch was made by ${launch.createdBy}, not by the person logged in here`);
      }
      return {
        ...(launch.patient ? { patient: launch.patient } : {}),
        ...(launch.encounter ? { encounter: launch.encounter } : {}),
      };
    }
    if (person.kind === 'patient' || person.kind === 'related-person') return { patient: person.patientId };
    return {};
  }

  router.post(
    `${INTERACTION_PATH}/:uid/uzi`,
    page(
      loginStep('uzi-certificate', async (req, res) => {
        const details = await provider.interactionDetails(req, res);
        const card = cardOf(req);
        if (!card) refuse(401, 'No UZI-pas was presented on this connection');
        const person = await persons.fromIdentity(
          {
            kind: 'caregiver',
            uziNumber: card.uziNumber,
            ura: card.subscriber,
            roleCode: card.roleCode,
            card,
          },
          'uzi-certificate',
        );
        await finishLogin(req, res, details, person);
      }),
    ),
  );

  if (deps.devLogin) {
    router.post(
      `${INTERACTION_PATH}/:uid/dev-login`,
      form,
      page(
        loginStep('dev-login', async (req, res) => {
          const details = await provider.interactionDetails(req, res);
          const reference = String((req.body as Record<string, unknown>)?.person ?? '').trim();
          const person = await persons.fromReference(reference, 'dev-login');
          deps.logger.warn({ person: reference }, 'development login used');
          await finishLogin(req, res, details, person);
        }),
      ),
    );
  }

  if (deps.password) {
    passwordInteractionRoutes(router, {
      ...deps.password,
      provider,
      persons,
      loginLog: deps.loginLog,
      form,
      page,
      html,
      showLogin,
      finishLogin,
    });
  }

  // The end of an external login (SAML): a top-level GET that carries the interaction cookie.
  router.get(
    `${INTERACTION_PATH}/:uid/ticket/:ticket`,
    page(async (req, res) => {
      const details = await provider.interactionDetails(req, res);
      const ticket = await records.take<Ticket>(TICKET_MODEL, String(req.params.ticket));
      if (!ticket || ticket.uid !== details.uid) {
        refuse(400, 'This login link is unknown, used or expired; log in again');
      }
      await finishLogin(
        req,
        res,
        details,
        await persons.fromReference(ticket.person, 'saml', ticket.organization),
      );
    }),
  );

  router.post(
    `${INTERACTION_PATH}/:uid/confirm`,
    form,
    page(async (req, res) => {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name !== 'consent') refuse(400, 'Log in first');
      const accountId = details.session?.accountId ?? '';
      const clientId = String(details.params.client_id);
      const organization = await loginOrganization(details);
      const person = await persons.fromReference(accountId, 'smart', organization);
      const client = await clients.active(clientId);
      if (!client) refuse(400, 'This app is no longer registered');
      const scope = details.params.scope;
      const context = await launchContext(details.params, person, true);
      if (organization) context.organization = organization;
      // A portal account not linked yet has no record to launch with: it logs in without one.
      if (hasScope(scope, 'launch/patient') && !context.patient && person.kind !== 'account') {
        const body = (req.body ?? {}) as Record<string, string | undefined>;
        const chosen = (body.patient_id?.trim() || body.patient?.trim() || '').replace(/^Patient\//, '');
        if (!chosen || !(await patients.exists(person, chosen))) {
          refuse(400, 'Choose an existing patient');
        }
        context.patient = chosen;
      }
      const grant = details.grantId
        ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId }))
        : new provider.Grant({ accountId, clientId });
      grant.addOIDCScope(oidcScopes(scope).join(' '));
      grant.addResourceScope(
        fhirBase,
        grantableResourceScopes(scope, client.scope, ['patient', 'user']).join(' '),
      );
      const grantId = await grant.save();
      // Always written, so a launch without an encounter does not inherit an earlier one's.
      await records.put(CONTEXT_MODEL, grantId, context, LIFETIMES.Grant, grantId);
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
    }),
  );

  router.post(
    `${INTERACTION_PATH}/:uid/abort`,
    page(async (req, res) => {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The user denied access' },
        { mergeWithLastSubmission: false },
      );
    }),
  );

  return {
    router,
    /**
     * For logins that end elsewhere (SAML): a one-time, short-lived URL under the interaction
     * path that finishes interaction `uid` as `person` when the browser GETs it.
     */
    async completeLoginUrl(uid: string, person: PersonPrincipal): Promise<string> {
      const ticket = randomBytes(24).toString('base64url');
      await records.put(
        TICKET_MODEL,
        ticket,
        {
          uid,
          person: personReference(person),
          ...(person.kind === 'practitioner' && person.organizationId
            ? { organization: person.organizationId }
            : {}),
        } satisfies Ticket,
        TICKET_SECONDS,
      );
      return `${INTERACTION_PATH}/${encodeURIComponent(uid)}/ticket/${ticket}`;
    },
  };
}
