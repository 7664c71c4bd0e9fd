import { randomUUID } from 'node:crypto';
import type { PractitionerPrincipal } from '../../auth/principal.ts';
import type { FunctionInvitation } from '../../fhir/storage/function-invitations.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse, type Language } from '../language.ts';
import { hashToken, type AccountDeps } from './account-deps.ts';
import {
  current,
  functionCoding,
  functionOf,
  functionsAt,
  idOf,
  isAdminFunction,
  nameOf,
  rolesOf,
  type Json,
} from './function-roles.ts';
import { acceptedMail } from './invitation-mail.ts';
import { statusOf } from './invitations.ts';
import { AGB_SYSTEM, BIG_SYSTEM, CLUSTER_EXTENSION } from './vocabulary.ts';

export const BIG = /^[0-9]{11}$/;
/** A phone number as people write it: digits, spaces, dashes, brackets, a leading +. */
export const PHONE = /^\+?[0-9][0-9 ()-]{7,19}$/;

/** What the invitee fills in for a new account (an existing one brings its login instead). */
export interface NewAccount {
  given?: string;
  family?: string;
  big?: string;
  mobile?: string;
  password?: string;
}

const ASK_AGAIN = {
  en: "ask your organisation's responsible admin to send the invitation again (it is valid for 7 days)",
  nl: 'vraag de verantwoordelijk beheerder van uw organisatie de uitnodiging opnieuw te versturen (die is 7 dagen geldig)',
};

/**
 * The open invitation a link's token opens, or a refusal that says how to get a new one. An
 * unknown token and a replaced one (resent: the old link) read the same; only the hash is looked
 * up, by an index, so the answer's time says nothing of how close a guess came.
 */
export async function openInvitation(
  deps: AccountDeps,
  language: Language,
  token: string,
): Promise<FunctionInvitation> {
  const found = /^[A-Za-z0-9_-]{43}$/.test(token)
    ? await deps.store.functionInvitations.byTokenHash(hashToken(token))
    : undefined;
  return checkOpen(deps, language, found);
}

function checkOpen(
  deps: AccountDeps,
  language: Language,
  found: FunctionInvitation | undefined,
): FunctionInvitation {
  if (!found) {
    refuse(language, 404, 'not-found', {
      en: `This invitation link is not valid (mistyped, or replaced by a newer invitation): ${ASK_AGAIN.en}`,
      nl: `Deze uitnodigingslink is niet geldig (verkeerd overgenomen, of vervangen door een nieuwere uitnodiging): ${ASK_AGAIN.nl}`,
    });
  }
  const status = statusOf(found, deps.clock());
  if (status === 'accepted') {
    refuse(language, 410, 'business-rule', {
      en: 'This invitation has been used already: log in with the account it made, or ask your responsible admin for a new invitation',
      nl: 'Deze uitnodiging is al gebruikt: log in met het account dat ermee is gemaakt, of vraag uw verantwoordelijk beheerder om een nieuwe uitnodiging',
    });
  }
  if (status === 'expired') {
    refuse(language, 410, 'business-rule', {
      en: `This invitation expired on ${found.expiresAt.toISOString()}: ${ASK_AGAIN.en}`,
      nl: `Deze uitnodiging is verlopen op ${found.expiresAt.toISOString()}: ${ASK_AGAIN.nl}`,
    });
  }
  return found;
}

function validate(language: Language, input: NewAccount, needsPassword: boolean) {
  const problems: { en: string; nl: string }[] = [];
  if (!input.given?.trim() || !input.family?.trim()) {
    problems.push({ en: 'your given name and family name', nl: 'uw voornaam en achternaam' });
  }
  if (input.big && !BIG.test(input.big)) {
    problems.push({
      en: 'a BIG number of 11 digits (or none)',
      nl: 'een BIG-nummer van 11 cijfers (of geen)',
    });
  }
  if (input.mobile && !PHONE.test(input.mobile)) {
    problems.push({ en: 'a mobile number such as +31612345678', nl: 'een mobiel nummer zoals +31612345678' });
  }
  if (needsPassword && !input.password) {
    problems.push({ en: 'a password', nl: 'een wachtwoord' });
  }
  if (problems.length) {
    refuse(language, 400, 'invalid', {
      en: `Fill in ${problems.map((p) => p.en).join('; ')}`,
      nl: `Vul in: ${problems.map((p) => p.nl).join('; ')}`,
    });
  }
}

/** The PractitionerRole of one invited function: active, not yet verified. */
function roleFor(i: FunctionInvitation, practitionerId: string, code: string, agb?: string): Json {
  const clusters = isAdminFunction(code) ? i.clusters : [];
  return {
    resourceType: 'PractitionerRole',
    id: randomUUID(),
    ...(clusters.length
      ? {
          extension: clusters.map((c) => ({
            url: CLUSTER_EXTENSION,
            valueReference: { reference: `Organization/${c}` },
          })),
        }
      : {}),
    ...(agb ? { identifier: [{ system: AGB_SYSTEM, value: agb }] } : {}),
    active: true,
    practitioner: { reference: `Practitioner/${practitionerId}` },
    organization: { reference: `Organization/${i.organizationId}` },
    code: [functionCoding(code)],
    // The correspondence address starts as the invited one; the person may change it.
    telecom: [{ system: 'email', value: i.email, use: 'work' }],
  };
}

/** Where the notice goes: the inviter's correspondence address there, else every responsible admin's. */
async function adminAddresses(deps: AccountDeps, i: FunctionInvitation): Promise<string[]> {
  const admins = (await functionsAt(deps, i.organizationId)).filter(
    (r) => functionOf(r) === 'admin-responsible' && r.active !== false,
  );
  const email = (r: Json) =>
    ((r.telecom ?? []) as Json[]).find((t) => t.system === 'email' && typeof t.value === 'string')?.value as
      string | undefined;
  const inviter = admins
    .filter((r) => r.practitioner?.reference === i.invitedBy)
    .flatMap((r) => email(r) ?? []);
  return [...new Set(inviter.length ? inviter : admins.flatMap((r) => email(r) ?? []))];
}

const emailsIn = (r: Json | undefined): string[] =>
  ((r?.telecom ?? []) as Json[]).flatMap((t) =>
    t.system === 'email' && typeof t.value === 'string' ? [t.value.trim().toLowerCase()] : [],
  );

/**
 * An invitation extends only an account of its own address: the password login's, or one in
 * the Practitioner's or any of their PractitionerRoles' telecom. Otherwise whoever got hold of
 * a link (a forwarded mail, a shared mailbox) could add its functions to their own account.
 */
async function requireOwnAddress(deps: AccountDeps, language: Language, person: Json, email: string) {
  const ref = `Practitioner/${person.id as string}`;
  const own = new Set([
    ...((await deps.passwords?.loginOf(ref)) ?? []),
    ...emailsIn(person),
    ...(await rolesOf(deps, person.id as string)).flatMap(emailsIn),
  ]);
  if (!own.has(email.trim().toLowerCase())) {
    refuse(language, 403, 'forbidden', {
      en: `This invitation is for ${email}, which is not an address of your account: ask the responsible admin for an invitation to your own address (or open the link logged out to make an account for ${email})`,
      nl: `Deze uitnodiging is voor ${email}, en dat is geen adres van uw account: vraag de verantwoordelijk beheerder om een uitnodiging op uw eigen adres (of open de link zonder in te loggen om een account voor ${email} te maken)`,
    });
  }
}

/**
 * Accepting an invitation by its link (seed: "Via de link die je ontvangt, kunt je een account
 * aanmaken of uitbreiden"): a new account (a Practitioner, its password login when the server
 * has them) or, for an invitee logged in already, their own account extended (only when the
 * invitation's address is one of theirs: `requireOwnAddress`); one unverified
 * PractitionerRole per invited function; the invitation used; the responsible admin told with a
 * link to the person. The changes are logged as the person's.
 */
export async function acceptInvitation(
  deps: AccountDeps,
  language: Language,
  token: string,
  input: NewAccount,
  existing?: PractitionerPrincipal,
): Promise<{ practitionerId: string; roles: string[]; created: boolean }> {
  const invitation = await openInvitation(deps, language, token);
  let practitionerId: string;
  let person: Json | undefined;
  if (existing) {
    practitionerId = existing.practitionerId;
    person = await current(deps.store, 'Practitioner', practitionerId);
    if (!person || person.active === false) {
      refuse(language, 403, 'forbidden', {
        en: 'Your account is deactivated; it cannot be extended',
        nl: 'Uw account is gedeactiveerd; het kan niet worden uitgebreid',
      });
    }
    await requireOwnAddress(deps, language, person, invitation.email);
  } else {
    validate(language, input, deps.passwords !== undefined);
    practitionerId = randomUUID();
    person = {
      resourceType: 'Practitioner',
      id: practitionerId,
      ...(input.big ? { identifier: [{ system: BIG_SYSTEM, value: input.big }] } : {}),
      active: true,
      name: [{ family: input.family!.trim(), given: [input.given!.trim()] }],
    };
  }
  const held = existing
    ? (await functionsAt(deps, invitation.organizationId)).filter(
        (r) => idOf(r.practitioner, 'Practitioner') === practitionerId && r.active !== false,
      )
    : [];
  const roles = invitation.functions
    .filter((f) => !held.some((r) => functionOf(r) === f.code))
    .map((f) => roleFor(invitation, practitionerId, f.code, f.agb));
  const organization = await current(deps.store, 'Organization', invitation.organizationId);
  const to = await adminAddresses(deps, invitation);
  const ref = `Practitioner/${practitionerId}`;
  // A password login first: a login name taken or a password refused leaves the invitation open.
  if (!existing && deps.passwords) {
    await deps.passwords.create({
      login: invitation.email,
      password: input.password!,
      person: ref,
      ...(input.mobile ? { mobile: input.mobile } : {}),
    });
  }
  const principal: PractitionerPrincipal = existing ?? {
    kind: 'practitioner',
    practitionerId,
    roles: [],
    via: 'invitation',
  };
  const { store, audit } = deps.storeAs(principal);
  try {
    await store.transaction(async (tx, raw) => {
      // Again under the lock: of two submits of one link, one wins.
      checkOpen(deps, language, await raw.functionInvitations.byTokenHash(hashToken(token)));
      await tx.insertNew([
        ...(existing
          ? []
          : [{ resourceType: 'Practitioner', id: practitionerId, resource: person as Resource }]),
        ...roles.map((r) => ({
          resourceType: 'PractitionerRole',
          id: r.id as string,
          resource: r as Resource,
        })),
      ]);
      await raw.functionInvitations.accept(invitation.id, deps.clock(), ref);
      for (const address of to) {
        await deps.mailer.send(
          raw.jobs,
          acceptedMail({
            to: address,
            organization: String(organization?.name ?? `Organization/${invitation.organizationId}`),
            person: nameOf(person) || ref,
            personUrl: `${deps.publicBase}/${ref}`,
            functions: invitation.functions,
            personsUrl: `${deps.publicBase}/Organization/${invitation.organizationId}/$persons`,
          }),
        );
      }
    });
  } catch (err) {
    // The Practitioner was not made: its login goes, so the link (if still open) works again.
    if (!existing && deps.passwords) await deps.passwords.remove(ref).catch(() => undefined);
    throw err;
  }
  await audit.commit();
  return { practitionerId, roles: roles.map((r) => r.id as string), created: !existing };
}
