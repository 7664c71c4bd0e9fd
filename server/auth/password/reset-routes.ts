import express, { type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { errorPage } from '../smart/pages.ts';
import { forgotPage, forgotSentPage, resetDonePage, resetInvalidPage, resetPage } from './pages.ts';
import { lifetimeWords, type PasswordReset } from './reset.ts';
import { assertSameOrigin } from './same-origin.ts';

/** Where the forgotten-password pages live (beside the SMART endpoints, before oidc-provider's). */
export const PASSWORD_PATH = '/oauth/password';
export const FORGOT_PATH = `${PASSWORD_PATH}/forgot`;
export const RESET_PATH = `${PASSWORD_PATH}/reset`;

/**
 * The forgotten-password pages: ask for a link (the same answer for any address), open the
 * link, set a new password. Browser pages: refusals are pages with a status, not FHIR outcomes.
 */
export function passwordResetRoutes(deps: {
  reset: PasswordReset;
  resetSeconds: number;
  publicBase: string;
  logger: Logger;
}) {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const html = (res: Response, status: number, body: string) =>
    res
      .status(status)
      .set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' })
      .type('html')
      .send(body);
  const field = (req: Request, name: string) =>
    String((req.body as Record<string, unknown> | undefined)?.[name] ?? '');
  const page =
    (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } catch (err) {
        const status = (err as { status?: number }).status ?? 500;
        if (status >= 500) deps.logger.error({ err }, 'password reset failed');
        if (!res.headersSent)
          html(
            res,
            status,
            errorPage(status >= 500 ? 'Something went wrong; try again.' : (err as Error).message),
          );
      }
    };

  router.get(FORGOT_PATH, (_req, res) => html(res, 200, forgotPage({ action: FORGOT_PATH })));
  router.post(
    FORGOT_PATH,
    form,
    page(async (req, res) => {
      assertSameOrigin(req, deps.publicBase);
      const email = field(req, 'email').trim();
      if (!email) {
        html(
          res,
          400,
          forgotPage({ action: FORGOT_PATH, error: 'Vul uw e-mailadres in / Enter your e-mail address' }),
        );
        return;
      }
      await deps.reset.request(email);
      html(res, 200, forgotSentPage(lifetimeWords(deps.resetSeconds)));
    }),
  );
  router.get(
    `${RESET_PATH}/:token`,
    page(async (req, res) => {
      const token = String(req.params.token);
      if (!(await deps.reset.valid(token))) {
        html(res, 400, resetInvalidPage(FORGOT_PATH));
        return;
      }
      html(res, 200, resetPage({ action: RESET_PATH, token }));
    }),
  );
  router.post(
    RESET_PATH,
    form,
    page(async (req, res) => {
      assertSameOrigin(req, deps.publicBase);
      const token = field(req, 'token');
      const password = field(req, 'password');
      if (password !== field(req, 'repeat')) {
        html(
          res,
          400,
          resetPage({
            action: RESET_PATH,
            token,
            error: 'De twee wachtwoorden zijn niet gelijk / The two passwords differ',
          }),
        );
        return;
      }
      try {
        const person = await deps.reset.reset(token, password);
        deps.logger.info({ person }, 'password reset: new password set, grants ended');
      } catch (err) {
        if ((err as { status?: number }).status !== 400) throw err;
        const stillValid = await deps.reset.valid(token);
        html(
          res,
          400,
          stillValid
            ? resetPage({ action: RESET_PATH, token, error: (err as Error).message })
            : resetInvalidPage(FORGOT_PATH),
        );
        return;
      }
      html(res, 200, resetDonePage());
    }),
  );
  return router;
}
