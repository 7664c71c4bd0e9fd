import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { FhirError } from '../../fhir/errors.ts';
import type { PasswordStore } from '../../fhir/storage/auth/password-store.ts';
import type { Mailer } from '../../jobs/mail.ts';
import type { SmsSender } from '../../jobs/sms.ts';
import { say, type Language, type Said } from '../../domain/language.ts';
import { normalLogin } from './accounts.ts';
import type { PasswordConfig } from './config.ts';
import { hashPassword, verifyPassword } from './hashing.ts';

/**
 * The one answer to every refused password: unknown e-mail, wrong password, locked or disabled
 * account alike, so the answer never tells a stranger whether an address has an account.
 */
export const WRONG_PASSWORD: Said = {
  en: 'The e-mail address or password is wrong, or this login is locked for a while after too many attempts. Try again later, or request a new password.',
  nl: 'Het e-mailadres of wachtwoord klopt niet, of deze login is een tijd geblokkeerd na te veel pogingen. Probeer het later opnieuw, of vraag een nieuw wachtwoord aan.',
};

export const WRONG_CODE: Said = {
  en: 'The verification code is wrong, expired or used. Use the code of the last message you received, or log in again for a new code.',
  nl: 'De verificatiecode klopt niet, is verlopen of al gebruikt. Gebruik de laatst binnengekomen verificatiecode, of log opnieuw in voor een nieuwe code.',
};

/**
 * A refusal: `said` is what the person reads (status 401), `why` what the access log keeps
 * (which of the indistinguishable cases it was).
 */
export class PasswordRefusal extends FhirError {
  constructor(
    said: Said,
    language: Language,
    readonly why: string,
  ) {
    super(401, say(language, said), { code: 'login' });
  }
}

/** Where the code went, to tell the person without giving the whole address or number away. */
export interface CodeSent {
  channel: 'sms' | 'email';
  /** `…78` or `a…@praktijk.example`. */
  hint: string;
}

const codeHash = (interaction: string, code: string) =>
  createHash('sha256').update(`${interaction}\n${code}`).digest('hex');

const sameHex = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

const maskEmail = (login: string) => {
  const [name = '', domain = ''] = login.split('@');
  return `${name.slice(0, 1)}…@${domain}`;
};

/**
 * The two steps of a password login, apart from any web page (the SMART login page uses them,
 * the patient portal can): the password, which on success sends a one-time code for that login
 * (`interaction`: the SMART interaction uid, or any id of a session that asks), then the code,
 * which names the person. Lock state, codes and counts are in the database, shared by nodes.
 */
export function createPasswordLogin(deps: {
  store: PasswordStore;
  config: PasswordConfig;
  sms: SmsSender;
  mailer: Mailer;
  now?: () => Date;
}) {
  const { store, config } = deps;
  const now = deps.now ?? (() => new Date());
  // An unknown address is hashed against this, so it takes as long as a known one.
  const dummy = hashPassword(randomBytes(24).toString('base64'), config.scrypt);

  async function sendCode(
    account: { person: string; login: string; mobile?: string },
    interaction: string,
  ): Promise<CodeSent> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const minutes = Math.max(1, Math.round(config.codeSeconds / 60));
    const text =
      `Uw Zorgpoort-verificatiecode is ${code}. Geldig ${minutes} min. Deel deze code met niemand.\n` +
      `Your Zorgpoort verification code is ${code}. Valid ${minutes} min. Do not share it.`;
    await store.issueCode(
      {
        person: account.person,
        interaction,
        codeHash: codeHash(interaction, code),
        expiresAt: new Date(now().getTime() + config.codeSeconds * 1000),
      },
      (jobs) =>
        account.mobile
          ? deps.sms.send(jobs, { to: account.mobile, text })
          : deps.mailer.send(jobs, {
              to: account.login,
              subject: 'Uw verificatiecode / Your verification code',
              text,
            }),
    );
    return account.mobile
      ? { channel: 'sms', hint: `…${account.mobile.replace(/\D/g, '').slice(-2)}` }
      : { channel: 'email', hint: maskEmail(account.login) };
  }

  return {
    /**
     * Step one: the password. Right (and the account enabled and not locked): a new one-time
     * code goes to the account's mobile (else its e-mail), replacing any earlier one, and the
     * answer says where. Otherwise a PasswordRefusal with the same words for every cause.
     */
    async checkPassword(
      login: string,
      password: string,
      interaction: string,
      language?: Language,
    ): Promise<{ person: string; sent: CodeSent }> {
      const account = await store.byLogin(normalLogin(login));
      if (!account) {
        await verifyPassword(password, await dummy, config.scrypt);
        throw new PasswordRefusal(WRONG_PASSWORD, language, 'unknown login');
      }
      // Every case costs one hash: a locked or disabled account answers no faster.
      const { ok, rehash } = await verifyPassword(password, account.passwordHash, config.scrypt);
      const at = now();
      if (account.disabled) throw new PasswordRefusal(WRONG_PASSWORD, language, 'account disabled');
      if (account.lockedUntil && account.lockedUntil > at) {
        throw new PasswordRefusal(
          WRONG_PASSWORD,
          language,
          `account locked until ${account.lockedUntil.toISOString()}`,
        );
      }
      if (!ok) {
        await store.recordFailure(
          account.person,
          config.maxFailures,
          new Date(at.getTime() + config.lockSeconds * 1000),
        );
        const count = account.failedAttempts + 1;
        throw new PasswordRefusal(
          WRONG_PASSWORD,
          language,
          count >= config.maxFailures
            ? `wrong password (${count} in a row: locked for ${config.lockSeconds} s)`
            : `wrong password (${count} of ${config.maxFailures} before a lock)`,
        );
      }
      // The failures are not cleared here but when the code is right too: see checkCode.
      if (rehash) await store.rehash(account.person, await hashPassword(password, config.scrypt));
      return { person: account.person, sent: await sendCode(account, interaction) };
    },

    /**
     * Step two: the code of this login. Right: the code is used up, the account's failures
     * start again, and the person (still enabled, not locked) is returned. A wrong code counts
     * twice: towards `codeAttempts` of this code (then it is void) and, like a wrong password,
     * towards the account's lock (`maxFailures`), so whoever knows the password cannot try codes
     * without end by logging in again and again.
     */
    async checkCode(interaction: string, code: string, language?: Language): Promise<string> {
      const at = now();
      const stored = await store.codeOf(interaction, at);
      if (!stored) throw new PasswordRefusal(WRONG_CODE, language, 'no live code for this login');
      const given = code.replace(/\s/g, '');
      if (!/^[0-9]{6}$/.test(given) || !sameHex(codeHash(interaction, given), stored.codeHash)) {
        await store.codeFailed(stored, config.codeAttempts);
        const count = await store.recordFailure(
          stored.person,
          config.maxFailures,
          new Date(at.getTime() + config.lockSeconds * 1000),
        );
        throw new PasswordRefusal(
          WRONG_CODE,
          language,
          `wrong code (${stored.attempts + 1} of ${config.codeAttempts}); ` +
            (count >= config.maxFailures
              ? `${count} failures in a row: locked for ${config.lockSeconds} s`
              : `${count} of ${config.maxFailures} failures before a lock`),
        );
      }
      if (!(await store.takeCode(stored, config.codeAttempts, at)))
        throw new PasswordRefusal(WRONG_CODE, language, 'code used or void');
      const account = await store.byPerson(stored.person);
      if (!account || account.disabled)
        throw new PasswordRefusal(WRONG_PASSWORD, language, 'account disabled');
      // Locked since the password was given (by wrong codes, here or in another login): refused.
      if (account.lockedUntil && account.lockedUntil > at) {
        throw new PasswordRefusal(
          WRONG_PASSWORD,
          language,
          `account locked until ${account.lockedUntil.toISOString()}`,
        );
      }
      await store.recordSuccess(stored.person);
      return stored.person;
    },
  };
}

export type PasswordLogin = ReturnType<typeof createPasswordLogin>;
