import type { Request, RequestHandler, Response, Router } from 'express';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import type { LoginAttempt, LoginLog } from '../../audit/login-log.ts';
import { FhirError } from '../../fhir/errors.ts';
import type { PersonPrincipal } from '../principal.ts';
import type { PersonResolver } from '../resolve-person.ts';
import { INTERACTION_PATH } from '../smart/provider.ts';
import { PasswordRefusal, type PasswordLogin } from './login.ts';
import { codePage } from './pages.ts';
import { assertSameOrigin } from './same-origin.ts';

/** What the composition root gives the SMART login page for password logins. */
export interface PasswordInteractionOptions {
  login: PasswordLogin;
  /** The public base URL: forms must come from its origin. */
  publicBase: string;
  /**
   * Whether a person may log in at all: false for a Practitioner with `active: false` (the
   * resolver finds them; a deactivated caregiver must not get a session).
   */
  personActive: (reference: string) => Promise<boolean>;
}

type Handler = (req: Request, res: Response) => Promise<void>;

/**
 * The password login on the SMART interaction page: POST `…/password` (e-mail and password →
 * the code page, or the login page again with the one refusal for every cause), then POST
 * `…/password-code` (the code → the login finishes as that person, through the person resolver
 * like every other login). Each attempt is in the access log with its outcome and cause.
 */
export function passwordInteractionRoutes(
  router: Router,
  d: PasswordInteractionOptions & {
    provider: Provider;
    persons: PersonResolver;
    loginLog: LoginLog;
    form: RequestHandler;
    page: (handler: Handler) => Handler;
    html: (res: Response, status: number, body: string) => void;
    showLogin: (
      req: Request,
      res: Response,
      details: InteractionDetails,
      status: number,
      error?: string,
    ) => Promise<void>;
    finishLogin: (
      req: Request,
      res: Response,
      details: InteractionDetails,
      person: PersonPrincipal,
    ) => Promise<void>;
  },
) {
  const field = (req: Request, name: string) =>
    String((req.body as Record<string, unknown> | undefined)?.[name] ?? '');
  const attemptOf = (req: Request, details: InteractionDetails): Omit<LoginAttempt, 'outcome'> => ({
    method: 'password',
    clientId: String(details.params.client_id),
    ...(req.socket.remoteAddress ? { address: req.socket.remoteAddress } : {}),
  });
  /** The interaction of a form POST from our own page, still at its login step. */
  async function loginStep(req: Request, res: Response): Promise<InteractionDetails> {
    assertSameOrigin(req, d.publicBase);
    const details = await d.provider.interactionDetails(req, res);
    if (details.prompt.name !== 'login')
      throw new FhirError(
        400,
        'You are logged in already; go back to the app / U bent al ingelogd; ga terug naar de app',
      );
    return details;
  }

  router.post(
    `${INTERACTION_PATH}/:uid/password`,
    d.form,
    d.page(async (req, res) => {
      const details = await loginStep(req, res);
      const email = field(req, 'email').trim().slice(0, 320);
      const action = `${INTERACTION_PATH}/${details.uid}`;
      try {
        const { sent } = await d.login.checkPassword(email, field(req, 'password'), details.uid);
        d.html(res, 200, codePage({ action, loginHref: action, sent }));
      } catch (err) {
        if (!(err instanceof PasswordRefusal)) throw err;
        await d.loginLog.record({
          ...attemptOf(req, details),
          outcome: 'refused',
          login: email,
          reason: `password: ${err.why}`,
        });
        await d.showLogin(req, res, details, 401, err.message);
      }
    }),
  );

  router.post(
    `${INTERACTION_PATH}/:uid/password-code`,
    d.form,
    d.page(async (req, res) => {
      const details = await loginStep(req, res);
      const action = `${INTERACTION_PATH}/${details.uid}`;
      let reference: string;
      try {
        reference = await d.login.checkCode(details.uid, field(req, 'code'));
      } catch (err) {
        if (!(err instanceof PasswordRefusal)) throw err;
        await d.loginLog.record({
          ...attemptOf(req, details),
          outcome: 'refused',
          reason: `one-time code: ${err.why}`,
        });
        d.html(res, 401, codePage({ action, loginHref: action, error: err.message }));
        return;
      }
      try {
        const person = await d.persons.fromReference(reference, 'password');
        if (!(await d.personActive(reference)))
          throw new FhirError(403, `${reference} is deactivated; the login is refused`, {
            code: 'forbidden',
          });
        if (person.kind === 'practitioner' && !person.roles.length)
          throw new FhirError(403, `${reference} holds no active PractitionerRole; the login is refused`, {
            code: 'forbidden',
          });
        await d.finishLogin(req, res, details, person);
      } catch (err) {
        await d.loginLog.refused(err, attemptOf(req, details));
        throw err;
      }
    }),
  );
}
