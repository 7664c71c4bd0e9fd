import { randomUUID } from 'node:crypto';
import { findResources } from '../../auth/find-by-identifier.ts';
import { hashPassword, verifyPassword } from '../../auth/password/hashing.ts';
import { passwordProblem } from '../../auth/password/rules.ts';
import type { AccountPrincipal } from '../../auth/principal.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse, type Language } from '../language.ts';
import { hashToken, newToken } from '../referral/account-deps.ts';
import { isEmail } from '../referral/invite-colleague.ts';
import { attemptMail, confirmMail, practiceNoticeMail } from './account-mails.ts';
import type { PracticeDeps } from './deps.ts';
import { newPortalPerson } from './portal-person.ts';
import { practiceContact } from './practices.ts';
import { PORTAL_ACCOUNT_SYSTEM } from './vocabulary.ts';

/** Where the registration pages live (outside the FHIR API: the person has no login yet). */
export const REGISTER_PATH = '/portal/register';
export const CONFIRM_PATH = '/portal/confirm';
/** Registrations whose link expired this long ago are forgotten (their link then reads as unknown). */
const KEPT_AFTER_EXPIRY_MS = 7 * 86_400_000;

export interface RegistrationInput {
  email: string;
  password: string;
  /** The practice's Organization id (the portal registered for). */
  practice: string;
  /** The person's name as they give it, unchecked (the practice checks BSN and e-mail by phone). */
  name?: string;
}

const origin = (deps: Pick<PracticeDeps, 'publicBase'>) => new URL(deps.publicBase).origin;
export const registerUrl = (deps: Pick<PracticeDeps, 'publicBase'>, practice?: string) =>
  `${origin(deps)}${REGISTER_PATH}${practice ? `?practice=${encodeURIComponent(practice)}` : ''}`;
const START_AGAIN = (url: string) => ({
  en: `This confirmation link is unknown or has expired. Start again: register at ${url}`,
  nl: `Deze bevestigingslink is onbekend of verlopen. Begin opnieuw: registreer u via ${url}`,
});

/** The active portal accounts with this e-mail address. */
async function accountsWith(deps: PracticeDeps, email: string): Promise<Resource[]> {
  const found = await findResources(
    deps.store,
    deps.search,
    'Person',
    `email=${encodeURIComponent(email)}&_tag=${encodeURIComponent(`${PORTAL_ACCOUNT_SYSTEM}|`)}`,
    5,
  );
  return found.filter((p) => (p as { active?: boolean }).active !== false);
}

/**
 * Registration by e-mail (seed 004, "1.1 Een account aanmaken", "1.2 Bevestig uw account"):
 * the request, which answers alike whether or not the address has an account, then the link,
 * which with the chosen password makes the account and tells the practice.
 */
export function emailRegistration(deps: PracticeDeps) {
  const { config } = deps;
  /** What a link is for, while it works; else 404 (unknown) or 410 (expired), with the way to start again. */
  async function open(token: string, language: Language) {
    const found = await deps.store.portal.registration(hashToken(token));
    if (!found) refuse(language, 404, 'not-found', START_AGAIN(registerUrl(deps)));
    if (found.expiresAt <= deps.clock()) {
      refuse(language, 410, 'expired', START_AGAIN(registerUrl(deps, found.organizationId)));
    }
    const practice = await practiceContact(deps.store, found.organizationId);
    return {
      email: found.email,
      practice: { id: found.organizationId, name: practice?.name ?? found.organizationId },
      expiresAt: found.expiresAt,
    };
  }

  return {
    open,
    /**
     * A registration: refused (400) only for what a stranger may be told (a malformed address,
     * a password the rules refuse, an unknown practice). Otherwise the same answer every time:
     * a new address gets a confirmation link (at most `pendingPerAddress` waiting at once: a
     * new one ends the oldest, so registrations by others never keep the owner from theirs); an
     * address with an account gets no second one (one patient per address), only a mail to its
     * owner that someone tried (at most one per `noticeCooldownSeconds`). Both paths hash the
     * password, so they take as long.
     */
    async register(input: RegistrationInput, language: Language): Promise<{ expiresAt: Date }> {
      const email = input.email.trim().toLowerCase();
      if (!isEmail(email)) {
        refuse(language, 400, 'invalid', {
          en: `Enter your own e-mail address (such as name@example.nl), not '${input.email}'`,
          nl: `Vul uw eigen e-mailadres in (zoals naam@voorbeeld.nl), niet '${input.email}'`,
        });
      }
      const practice = /^[A-Za-z0-9\-.]{1,64}$/.test(input.practice)
        ? await practiceContact(deps.store, input.practice)
        : undefined;
      if (!practice) {
        refuse(language, 400, 'invalid', {
          en: `There is no practice '${input.practice}' here: use the registration link on your practice's website`,
          nl: `Er is hier geen praktijk '${input.practice}': gebruik de registratielink op de website van uw praktijk`,
        });
      }
      const problem = passwordProblem(input.password, email);
      if (problem) refuse(language, 400, 'invalid', problem);
      const name = input.name?.trim().slice(0, 200) || undefined;
      const passwordHash = await hashPassword(input.password, deps.scrypt);
      const now = deps.clock();
      const expiresAt = new Date(now.getTime() + config.confirmSeconds * 1000);
      if ((await accountsWith(deps, email)).length) {
        await deps.store.transaction(async (tx) => {
          const since = new Date(now.getTime() - config.noticeCooldownSeconds * 1000);
          if (!(await tx.portal.claimNotice(email, since, now))) return;
          await deps.mailer.send(
            tx.jobs,
            attemptMail({
              to: email,
              practice: practice.name,
              forgotUrl: `${origin(deps)}/oauth/password/forgot`,
            }),
          );
        });
        return { expiresAt };
      }
      await deps.store.transaction(async (tx) => {
        // One address's registrations in turn, so two at once cannot both find room.
        await tx.lock(`portal-registration:${email}`);
        await tx.portal.purgeRegistrations(new Date(now.getTime() - KEPT_AFTER_EXPIRY_MS));
        // The newest always gets its link: strangers' registrations cannot lock the owner out.
        await tx.portal.keepNewestRegistrations(email, config.pendingPerAddress - 1, now);
        const { token, hash } = newToken();
        await tx.portal.addRegistration(hash, {
          email,
          passwordHash,
          organizationId: input.practice,
          ...(name ? { name } : {}),
          createdAt: now,
          expiresAt,
        });
        await deps.mailer.send(
          tx.jobs,
          confirmMail({
            to: email,
            practice: practice.name,
            link: `${origin(deps)}${CONFIRM_PATH}/${token}`,
            expiresAt,
          }),
        );
      });
      return { expiresAt };
    },

    /**
     * Confirms a registration with the password chosen for it (so only its registrant, who also
     * reads the mailbox, can): the password login and the Person are made, every other waiting
     * registration of the address ends, and the practice is told (its e-mail address, and the
     * registration listed for its staff). The account logs in from now on, seeing nothing
     * medical until the practice links it.
     */
    async confirm(token: string, password: string, language: Language): Promise<{ personId: string }> {
      const hash = hashToken(token);
      const pending = await open(token, language);
      const found = (await deps.store.portal.registration(hash))!;
      if (!(await verifyPassword(password, found.passwordHash, deps.scrypt)).ok) {
        refuse(language, 400, 'invalid', {
          en: 'This is not the password you chose when you registered; enter that one (forgotten? register again)',
          nl: 'Dit is niet het wachtwoord dat u bij de registratie koos; vul dat in (vergeten? registreer u opnieuw)',
        });
      }
      if (!deps.passwords) {
        refuse(language, 503, 'not-supported', {
          en: 'Password logins are off on this server (PASSWORD_LOGIN=off): register with DigiD',
          nl: 'Inloggen met wachtwoord staat uit op deze server (PASSWORD_LOGIN=off): registreer u met DigiD',
        });
      }
      const taken = () =>
        refuse(language, 409, 'duplicate', {
          en: 'This e-mail address has an account already: log in with it, or set a new password through "forgot password"',
          nl: 'Met dit e-mailadres bestaat al een account: log daarmee in, of stel een nieuw wachtwoord in via "wachtwoord vergeten"',
        });
      if ((await accountsWith(deps, pending.email)).length) taken();
      const personId = randomUUID();
      const reference = `Person/${personId}`;
      try {
        await deps.passwords.create({ login: pending.email, password, person: reference });
      } catch (err) {
        if ((err as { status?: number }).status === 409) taken();
        throw err;
      }
      const principal: AccountPrincipal = {
        kind: 'account',
        personId,
        via: 'password',
        portal: { personId, organizationId: pending.practice.id, needsSessionCode: true, openServices: [] },
      };
      const { store, audit } = deps.storeAs(principal);
      try {
        await store.transaction(async (tx, raw) => {
          const now = deps.clock();
          // Under the transaction: of two confirmations at once, one makes the account.
          if (!(await raw.portal.takeRegistrations(pending.email, hash, now))) {
            refuse(language, 410, 'expired', START_AGAIN(registerUrl(deps, pending.practice.id)));
          }
          const person = newPortalPerson({
            id: personId,
            registration: 'email',
            practice: pending.practice.id,
            email: pending.email,
            ...(found.name ? { name: found.name } : {}),
          });
          await tx.insertNew([{ resourceType: 'Person', id: personId, resource: person }]);
          const contact = await practiceContact(raw, pending.practice.id);
          if (contact?.email) {
            await deps.mailer.send(
              raw.jobs,
              practiceNoticeMail({
                to: contact.email,
                practice: contact.name,
                person: reference,
                registration: 'email',
                listUrl: waitingUrl(deps, pending.practice.id),
              }),
            );
          }
        });
      } catch (err) {
        // The Person was not made: its login goes, so the address can register again.
        await deps.passwords.remove(reference).catch(() => undefined);
        throw err;
      }
      await audit.commit();
      return { personId };
    },
  };
}

/** The search that lists a practice's registrations waiting to be linked (for its staff). */
export const waitingUrl = (deps: Pick<PracticeDeps, 'publicBase'>, practice: string) =>
  `${deps.publicBase}/Person?organization=Organization/${encodeURIComponent(practice)}&link:missing=true`;

export type EmailRegistration = ReturnType<typeof emailRegistration>;
