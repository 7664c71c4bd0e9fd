import { refuse } from '../../domain/language.ts';
import type { PasswordStore } from '../../fhir/storage/auth/password-store.ts';
import { hashPassword, type ScryptParameters } from './hashing.ts';
import { passwordProblem } from './rules.ts';

/**
 * Password logins of people (caregivers of the referral platform, later the portal's patients),
 * for the domain code that makes and ends accounts. The login itself is login.ts.
 */
export interface PasswordAccounts {
  /**
   * A password login for `person` (`Practitioner/<id>`, `Patient/<id>`, or a patient portal
   * account's `Person/<id>`, server/domain/practice). `login` is an
   * e-mail address, unique regardless of case; `mobile` receives the one-time codes (without
   * it they go by e-mail). Refused (FhirError, nl/en): a malformed input (400), a password the
   * rules refuse (400), a login or person that has one already (409 — a registration form
   * open to strangers must not pass that on as it is).
   */
  create(input: { login: string; password: string; person: string; mobile?: string }): Promise<void>;
  /** No more logins (nor codes, nor reset links), and the person's tokens end. No account: nothing to do. */
  disable(person: string): Promise<void>;
  /** Logins work again (a lock is lifted too). No account: nothing to do. */
  enable(person: string): Promise<void>;
  /**
   * The account is gone and its login free for another: only for an account made for a person
   * that then was not (a failed invitation); an existing person's login is `disable`d instead.
   */
  remove(person: string): Promise<void>;
  /** The login (e-mail address, lower-cased) of the person's account, if they have one. */
  loginOf(person: string): Promise<string | undefined>;
}

const PERSON = /^(Practitioner|Patient|Person)\/[A-Za-z0-9\-.]{1,64}$/;
/** An address a mail can go to; deliberately loose (the mail itself is the real check). */
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const MOBILE = /^\+?[0-9][0-9 ()-]{7,19}$/;

/** The form a login is stored and looked up in. */
export const normalLogin = (login: string) => login.trim().toLowerCase();

export function createPasswordAccounts(deps: {
  store: PasswordStore;
  scrypt: ScryptParameters;
  now?: () => Date;
}): PasswordAccounts {
  const now = deps.now ?? (() => new Date());
  return {
    async create(input) {
      const login = normalLogin(input.login ?? '');
      if (!PERSON.test(input.person ?? ''))
        refuse(undefined, 400, 'invalid', {
          en: `A password login is for Practitioner/<id>, Patient/<id> or Person/<id>, not '${input.person}'`,
          nl: `Een wachtwoordlogin is voor Practitioner/<id>, Patient/<id> of Person/<id>, niet '${input.person}'`,
        });
      if (!EMAIL.test(login) || login.length > 254)
        refuse(undefined, 400, 'invalid', {
          en: `The login must be an e-mail address, not '${input.login}'`,
          nl: `De login moet een e-mailadres zijn, niet '${input.login}'`,
        });
      if (input.mobile !== undefined && !MOBILE.test(input.mobile.trim()))
        refuse(undefined, 400, 'invalid', {
          en: `'${input.mobile}' is not a mobile number (such as 0612345678 or +31612345678)`,
          nl: `'${input.mobile}' is geen mobiel nummer (zoals 0612345678 of +31612345678)`,
        });
      const problem = passwordProblem(input.password ?? '', login);
      if (problem) refuse(undefined, 400, 'invalid', problem);
      const outcome = await deps.store.insert(
        {
          person: input.person,
          login,
          passwordHash: await hashPassword(input.password, deps.scrypt),
          ...(input.mobile ? { mobile: input.mobile.trim() } : {}),
        },
        now(),
      );
      if (outcome === 'login-taken')
        refuse(undefined, 409, 'duplicate', {
          en: `The e-mail address ${login} is the login of another account already`,
          nl: `Het e-mailadres ${login} is al de login van een ander account`,
        });
      if (outcome === 'person-taken')
        refuse(undefined, 409, 'duplicate', {
          en: `${input.person} has a password login already`,
          nl: `${input.person} heeft al een wachtwoordlogin`,
        });
    },
    async disable(person) {
      await deps.store.setDisabled(person, true, now());
    },
    async enable(person) {
      await deps.store.setDisabled(person, false, now());
    },
    async remove(person) {
      await deps.store.remove(person);
    },
    async loginOf(person) {
      return (await deps.store.byPerson(person))?.login;
    },
  };
}
