import express, { type Request, type Response, type Router } from 'express';
import { escapeHtml } from '../domain/collective/letters.ts';
import { say, type Language } from '../domain/language.ts';
import { pageHeaders, pageLanguage } from './page-headers.ts';
import type { AccountDeps } from '../domain/referral/account-deps.ts';
import { acceptInvitation, openInvitation, type NewAccount } from '../domain/referral/accept-invitation.ts';
import { FUNCTION_NAMES } from '../domain/referral/invitation-mail.ts';
import { FhirError } from '../fhir/errors.ts';
import { operationOutcome } from '../fhir/outcome.ts';
import type { Principal } from './principal.ts';

/**
 * `GET/POST /accounts/invitations/:token`: the invitee's way in, outside the FHIR API because
 * they have no login yet (seed "Ik wil aanmeldingen verifiëren": "Je collega ontvangt een e-mail
 * met de link om zelf het account aan te maken"). A browser gets a form; a client sending JSON
 * gets JSON. The token in the path is the only credential: no cookie is read or set, so a
 * forged cross-site form can do nothing its sender could not do with the link itself, and a
 * request a browser marks cross-site is refused anyway. A caller with a bearer token (an
 * existing account) extends that account instead of making one, if the invitation's address is
 * one of theirs (accept-invitation.ts). Pages are never cached and send
 * no Referer (the link is a secret).
 */
export function invitationRoutes(deps: {
  accounts: AccountDeps;
  /** The caller's bearer token, when they bring one (to extend their account). */
  authenticate: (authorization: string) => Promise<Principal>;
}): Router {
  const router = express.Router();
  const body = [express.urlencoded({ extended: false, limit: '16kb' }), express.json({ limit: '16kb' })];
  router.get('/accounts/invitations/:token', (req, res, next) => {
    void (async () => {
      const language = pageLanguage(req);
      pageHeaders(res);
      try {
        const i = await openInvitation(deps.accounts, language, req.params.token!);
        const organization = await deps.accounts.store.read('Organization', i.organizationId);
        const name = organization?.content
          ? String((JSON.parse(organization.content) as { name?: string }).name ?? '')
          : '';
        if (wantsJson(req)) {
          res.status(200).json({
            organization: { reference: `Organization/${i.organizationId}`, display: name },
            functions: i.functions.map((f) => f.code),
            clusters: i.clusters.map((c) => `Organization/${c}`),
            expires: i.expiresAt.toISOString(),
          });
          return;
        }
        res
          .status(200)
          .type('html')
          .send(
            formPage(
              language,
              name,
              i.functions.map((f) => f.code),
              deps.accounts.passwords !== undefined,
            ),
          );
      } catch (err) {
        refusal(req, res, err, language, next);
      }
    })();
  });
  router.post('/accounts/invitations/:token', ...body, (req, res, next) => {
    void (async () => {
      const language = pageLanguage(req);
      pageHeaders(res);
      try {
        if (req.headers['sec-fetch-site'] === 'cross-site') {
          throw new FhirError(
            403,
            say(language, {
              en: 'An invitation is accepted on its own page, not from another site',
              nl: 'Een uitnodiging wordt op de eigen pagina aangenomen, niet vanaf een andere site',
            }),
            { code: 'forbidden' },
          );
        }
        let existing: Principal | undefined;
        if (req.headers.authorization) {
          existing = await deps.authenticate(req.headers.authorization);
          if (existing.kind !== 'practitioner') {
            throw new FhirError(
              403,
              say(language, {
                en: 'An account is extended by its caregiver, logged in',
                nl: 'Een account wordt uitgebreid door de zorgverlener zelf, ingelogd',
              }),
              { code: 'forbidden' },
            );
          }
        }
        const b = (req.body ?? {}) as Record<string, unknown>;
        const field = (k: string) => (typeof b[k] === 'string' && b[k].trim() ? b[k].trim() : undefined);
        const input: NewAccount = {
          ...(field('given') ? { given: field('given') } : {}),
          ...(field('family') ? { family: field('family') } : {}),
          ...(field('big') ? { big: field('big')!.replace(/\s/g, '') } : {}),
          ...(field('mobile') ? { mobile: field('mobile') } : {}),
          ...(typeof b.password === 'string' && b.password ? { password: b.password } : {}),
        };
        const done = await acceptInvitation(
          deps.accounts,
          language,
          req.params.token!,
          input,
          existing?.kind === 'practitioner' ? existing : undefined,
        );
        if (wantsJson(req) || req.is('application/json')) {
          res.status(done.created ? 201 : 200).json({
            practitioner: `Practitioner/${done.practitionerId}`,
            roles: done.roles.map((r) => `PractitionerRole/${r}`),
          });
          return;
        }
        res
          .status(done.created ? 201 : 200)
          .type('html')
          .send(
            page(
              say(language, { en: 'Account ready', nl: 'Account gereed' }),
              `<p>${escapeHtml(
                say(language, {
                  en: 'Your account is active. The responsible admin verifies your functions.',
                  nl: 'Uw account is actief. De verantwoordelijk beheerder verifieert uw functies.',
                }),
              )}</p>`,
            ),
          );
      } catch (err) {
        refusal(req, res, err, language, next);
      }
    })();
  });
  return router;
}

const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

function refusal(req: Request, res: Response, err: unknown, language: Language, next: (e: unknown) => void) {
  if (!(err instanceof FhirError)) {
    next(err);
    return;
  }
  if (wantsJson(req) || req.is('application/json')) {
    res
      .status(err.status)
      .type('application/fhir+json')
      .send(JSON.stringify(operationOutcome(err.issues)));
    return;
  }
  const title = say(language, { en: 'Invitation', nl: 'Uitnodiging' });
  res
    .status(err.status)
    .type('html')
    .send(page(title, `<p role="alert">${escapeHtml(err.message)}</p>`));
}

function page(title: string, content: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${content}</body></html>`;
}

/** The form for a new account; the password and mobile fields only where the server has password logins. */
function formPage(language: Language, organization: string, functions: string[], passwords: boolean): string {
  const t = (en: string, nl: string) => escapeHtml(say(language, { en, nl }));
  const names = functions
    .map((f) => FUNCTION_NAMES[f]?.[language === 'en' ? 'en' : 'nl'] ?? f)
    .map(escapeHtml)
    .join(', ');
  const input = (name: string, label: string, type = 'text', required = false) =>
    `<p><label>${label}<br><input name="${name}" type="${type}"${required ? ' required' : ''}></label></p>`;
  return page(
    t('Invitation', 'Uitnodiging'),
    `<p>${t('You are invited to', 'U bent uitgenodigd voor')} <strong>${escapeHtml(organization)}</strong>: ${names}.</p>
<form method="post">
${input('given', t('Given name', 'Voornaam'), 'text', true)}
${input('family', t('Family name', 'Achternaam'), 'text', true)}
${input('big', t('BIG number (optional, 11 digits)', 'BIG-nummer (optioneel, 11 cijfers)'))}
${
  passwords
    ? `${input('mobile', t('Mobile number (for the login code; else by e-mail)', 'Mobiel nummer (voor de inlogcode; anders per e-mail)'), 'tel')}
${input('password', t('Password (at least 12 characters)', 'Wachtwoord (minstens 12 tekens)'), 'password', true)}`
    : ''
}
<p><button type="submit">${t('Create account', 'Account aanmaken')}</button></p>
</form>`,
  );
}
