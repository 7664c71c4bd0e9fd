import { createHash, randomBytes } from 'node:crypto';
import type { PasswordStore } from '../../fhir/storage/auth/password-store.ts';
import type { Mailer } from '../../jobs/mail.ts';
import { refuse, type Language } from '../../domain/language.ts';
import { normalLogin } from './accounts.ts';
import type { PasswordConfig } from './config.ts';
import { hashPassword } from './hashing.ts';
import { passwordProblem } from './rules.ts';

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** How long a reset link works, in words. */
export const lifetimeWords = (seconds: number) =>
  seconds >= 3600 && seconds % 3600 === 0
    ? `${seconds / 3600} ${seconds === 3600 ? 'uur / hour' : 'uur / hours'}`
    : `${Math.max(1, Math.round(seconds / 60))} min`;

/**
 * A forgotten password: a link by e-mail (the token only there; the database keeps its hash),
 * working once and for `resetSeconds`; a new request ends the earlier link. Setting the new
 * password ends every grant of the person, so a thief's refresh tokens stop with it.
 */
export function createPasswordReset(deps: {
  store: PasswordStore;
  config: PasswordConfig;
  mailer: Mailer;
  /** The page a reset link opens, for a token. */
  resetUrl: (token: string) => string;
  now?: () => Date;
}) {
  const { store, config } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    /** Sends a link when `email` is an enabled account's login; nothing tells the caller which. */
    async request(email: string): Promise<void> {
      const account = await store.byLogin(normalLogin(email));
      if (!account || account.disabled) return;
      const token = randomBytes(32).toString('base64url');
      const link = deps.resetUrl(token);
      const lifetime = lifetimeWords(config.resetSeconds);
      await store.issueReset(
        {
          person: account.person,
          tokenHash: tokenHash(token),
          expiresAt: new Date(now().getTime() + config.resetSeconds * 1000),
        },
        (jobs) =>
          deps.mailer.send(jobs, {
            to: account.login,
            subject: 'Nieuw wachtwoord instellen / Set a new password',
            text:
              `Iemand (hopelijk u) vroeg een nieuw wachtwoord aan voor uw Zorgpoort-account. ` +
              `Stel het in via deze link (${lifetime} geldig, één keer te gebruiken):\n\n${link}\n\n` +
              `Vroeg u dit niet aan? Dan kunt u deze e-mail negeren; uw wachtwoord blijft hetzelfde.\n\n` +
              `Someone (hopefully you) asked for a new password for your Zorgpoort account. ` +
              `Set it through the link above (valid ${lifetime}, once). ` +
              `Did you not ask for it? Then ignore this e-mail; your password stays as it is.\n`,
          }),
      );
    },

    /** Whether a link still works (to show its form, or say it does not). */
    async valid(token: string): Promise<boolean> {
      return (await store.resetOf(tokenHash(token), now())) !== undefined;
    },

    /**
     * Sets the new password of a link and uses it up. 400 for a password the rules refuse (the
     * link still works) and for a link that is unknown, used or expired.
     */
    async reset(token: string, password: string, language?: Language): Promise<string> {
      const hash = tokenHash(token);
      const person = await store.resetOf(hash, now());
      const account = person ? await store.byPerson(person) : undefined;
      if (!account) {
        refuse(language, 400, 'invalid', {
          en: 'This link is unknown, expired or used; request a new password again',
          nl: 'Deze link is onbekend, verlopen of al gebruikt; vraag opnieuw een nieuw wachtwoord aan',
        });
      }
      const problem = passwordProblem(password, account.login);
      if (problem) refuse(language, 400, 'invalid', problem);
      const done = await store.resetPassword(hash, await hashPassword(password, config.scrypt), now());
      if (!done) {
        refuse(language, 400, 'invalid', {
          en: 'This link is unknown, expired or used; request a new password again',
          nl: 'Deze link is onbekend, verlopen of al gebruikt; vraag opnieuw een nieuw wachtwoord aan',
        });
      }
      return done;
    },
  };
}

export type PasswordReset = ReturnType<typeof createPasswordReset>;
