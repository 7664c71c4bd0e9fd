import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { say, type Language } from '../domain/language.ts';
import { pageHeaders, pageLanguage } from './page-headers.ts';
import { practiceContact } from '../domain/practice/practices.ts';
import type { PracticeDeps } from '../domain/practice/deps.ts';
import { CONFIRM_PATH, emailRegistration, REGISTER_PATH } from '../domain/practice/register-email.ts';
import { FhirError } from '../fhir/errors.ts';
import { operationOutcome } from '../fhir/outcome.ts';
import { lifetimeWords } from './password/reset.ts';
import { assertSameOrigin } from './password/same-origin.ts';
import {
  confirmedPage,
  confirmPage,
  refusedPage,
  registeredPage,
  registerPage,
} from './portal-registration-html.ts';

/**
 * The patient portal's registration by e-mail (server/domain/practice/README.md), outside the
 * FHIR API because the person has no login yet, like the forgotten-password pages: a browser gets
 * forms and pages, a client sending or accepting JSON gets JSON (refusals as OperationOutcome).
 *
 * - `GET/POST /portal/register` (`?practice=<Organization id>`): e-mail, password, practice, name;
 *   the same answer whether or not the address has an account.
 * - `GET/POST /portal/confirm/:token`: the link of the mail; the POST, with the password chosen,
 *   makes the account.
 *
 * No cookie is read or set; a form posted from another site is refused (the same-origin guard of
 * the password forms). Pages are never cached and send no Referer (the link is a secret).
 */
export function portalRegistrationRoutes(practice: PracticeDeps, logger: Logger): Router {
  const deps = {
    registration: emailRegistration(practice),
    store: practice.store,
    publicBase: practice.publicBase,
    confirmSeconds: practice.config.confirmSeconds,
    logger,
  };
  const router = express.Router();
  const body = [express.urlencoded({ extended: false, limit: '16kb' }), express.json({ limit: '16kb' })];

  const handle =
    (fn: (req: Request, res: Response, language: Language) => Promise<void>) =>
    (req: Request, res: Response) => {
      const language = pageLanguage(req);
      pageHeaders(res);
      fn(req, res, language).catch((err: unknown) => {
        const status = err instanceof FhirError ? err.status : 500;
        if (status >= 500) deps.logger.error({ err }, 'portal registration failed');
        const error =
          err instanceof FhirError
            ? err
            : new FhirError(
                500,
                say(language, {
                  en: 'Something went wrong; try again',
                  nl: 'Er ging iets mis; probeer het opnieuw',
                }),
              );
        if (json(req)) {
          res
            .status(status)
            .type('application/fhir+json')
            .send(JSON.stringify(operationOutcome(error.issues)));
        } else {
          res.status(status).type('html').send(refusedPage(language, error.message));
        }
      });
    };

  router.get(
    REGISTER_PATH,
    handle(async (req, res, language) => {
      const id = typeof req.query.practice === 'string' ? req.query.practice : undefined;
      const practice =
        id && /^[A-Za-z0-9\-.]{1,64}$/.test(id) ? await practiceContact(deps.store, id) : undefined;
      res
        .status(200)
        .type('html')
        .send(
          registerPage({
            language,
            action: REGISTER_PATH,
            ...(practice && id ? { practice: { id, name: practice.name } } : {}),
          }),
        );
    }),
  );

  router.post(
    REGISTER_PATH,
    ...body,
    handle(async (req, res, language) => {
      assertSameOrigin(req, deps.publicBase);
      const f = fields(req);
      const input = {
        email: f('email'),
        password: f('password', false),
        practice: f('practice') || (typeof req.query.practice === 'string' ? req.query.practice : ''),
        ...(f('name') ? { name: f('name') } : {}),
      };
      // The form asks twice; a JSON client sends the password once.
      if (!json(req) && input.password !== f('repeat', false)) {
        const practice = await practiceContact(deps.store, input.practice).catch(() => undefined);
        res
          .status(400)
          .type('html')
          .send(
            registerPage({
              language,
              action: REGISTER_PATH,
              ...(practice ? { practice: { id: input.practice, name: practice.name } } : {}),
              error: say(language, {
                en: 'The two passwords differ',
                nl: 'De twee wachtwoorden zijn niet gelijk',
              }),
            }),
          );
        return;
      }
      const { expiresAt } = await deps.registration.register(input, language);
      if (json(req)) {
        res.status(202).json({
          status: 'check-your-mail',
          message: say(language, {
            en: 'If this address can be registered, an e-mail with a confirmation link is on its way',
            nl: 'Als dit adres geregistreerd kan worden, is er een e-mail met een bevestigingslink onderweg',
          }),
          expires: expiresAt.toISOString(),
        });
        return;
      }
      res
        .status(202)
        .type('html')
        .send(registeredPage(language, lifetimeWords(deps.confirmSeconds)));
    }),
  );

  router.get(
    `${CONFIRM_PATH}/:token`,
    handle(async (req, res, language) => {
      const token = String(req.params.token);
      const open = await deps.registration.open(token, language);
      if (json(req)) {
        res.status(200).json({
          email: open.email,
          practice: { reference: `Organization/${open.practice.id}`, display: open.practice.name },
          expires: open.expiresAt.toISOString(),
        });
        return;
      }
      res
        .status(200)
        .type('html')
        .send(
          confirmPage({
            language,
            action: `${CONFIRM_PATH}/${token}`,
            email: open.email,
            practice: open.practice.name,
          }),
        );
    }),
  );

  router.post(
    `${CONFIRM_PATH}/:token`,
    ...body,
    handle(async (req, res, language) => {
      assertSameOrigin(req, deps.publicBase);
      const token = String(req.params.token);
      try {
        const { personId } = await deps.registration.confirm(token, fields(req)('password', false), language);
        if (json(req)) {
          res.status(201).json({ person: `Person/${personId}`, linked: false });
          return;
        }
        res.status(201).type('html').send(confirmedPage(language));
      } catch (err) {
        // A wrong password on the form: the form again, with the reason.
        if (json(req) || (err as { status?: number }).status !== 400) throw err;
        const open = await deps.registration.open(token, language);
        res
          .status(400)
          .type('html')
          .send(
            confirmPage({
              language,
              action: `${CONFIRM_PATH}/${token}`,
              email: open.email,
              practice: open.practice.name,
              error: (err as Error).message,
            }),
          );
      }
    }),
  );
  return router;
}

/** A client that sends or wants JSON gets JSON; a browser gets pages. */
const json = (req: Request) =>
  req.is('application/json') === 'application/json' || req.accepts(['html', 'json']) === 'json';

const fields =
  (req: Request) =>
  (name: string, trim = true): string => {
    const v = (req.body as Record<string, unknown> | undefined)?.[name];
    if (typeof v !== 'string') return '';
    return (trim ? v.trim() : v).slice(0, 400);
  };
