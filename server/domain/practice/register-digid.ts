import { randomUUID } from 'node:crypto';
import { findResources } from '../../auth/find-by-identifier.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { practiceNoticeMail } from './account-mails.ts';
import type { PracticeDeps } from './deps.ts';
import { newPortalPerson, type PortalPerson } from './portal-person.ts';
import { current, practiceContact, practicesOfPatient } from './practices.ts';
import { waitingUrl } from './register-email.ts';
import { PORTAL_ACCOUNT_SYSTEM } from './vocabulary.ts';

export const REGISTER_DIGID_OPERATION = 'https://zorgpoort.nl/fhir/OperationDefinition/Person-register-digid';

const portalTag = encodeURIComponent(`${PORTAL_ACCOUNT_SYSTEM}|`);

/**
 * `POST Person/$register-digid` (seed 004: "U kunt uw account registreren via DigiD. Het account
 * wordt automatisch gekoppeld met ons huisartsensysteem"): a patient logged in with DigiD (their
 * login names their Patient record, found by BSN) registers for a practice's portal. The Person
 * is made linked at once to their records at that practice (those whose GP or managing
 * organisation it is); the practice is told. An explicit step, not a side effect of any DigiD
 * login: a patient reading a hospital's data does not join their GP's portal by it. Registering
 * again answers the account there is (200). It takes no e-mail address: one given here would be
 * nobody's to check, yet would claim the address (its owner could no longer register with it)
 * and receive the portal's mails; those go to the Patient record's address (patient-mail.ts).
 */
export function registerDigid(deps: PracticeDeps) {
  return async (ctx: RestContext, body: unknown): Promise<FhirResult> => {
    const p = readParameters(body, ctx.language, '$register-digid');
    const who = ctx.principal;
    if (who.kind !== 'patient' || who.portal?.needsSessionCode || who.writeAll) {
      refuse(ctx.language, 403, 'forbidden', {
        en: 'Registering with DigiD is for a patient logged in with DigiD; an account made with e-mail and password is linked by the practice',
        nl: 'Registreren met DigiD is voor een patiënt die met DigiD is ingelogd; een account met e-mail en wachtwoord koppelt de praktijk',
      });
    }
    if (p.count('email')) {
      refuse(ctx.language, 400, 'invalid', {
        en: "Registering with DigiD takes no e-mail address (parameter email): the portal's messages go to the address your practice has in your record; ask the practice to change it",
        nl: 'Bij registreren met DigiD geeft u geen e-mailadres op (parameter email): berichten van het portaal gaan naar het adres dat de praktijk in uw dossier heeft; vraag de praktijk het te wijzigen',
      });
    }
    const named = p.reference('practice') ?? p.string('practice');
    const practiceId = named?.replace(/^Organization\//, '');
    const contact =
      practiceId && /^[A-Za-z0-9\-.]{1,64}$/.test(practiceId)
        ? await practiceContact(deps.store, practiceId)
        : undefined;
    if (!practiceId || !contact) {
      refuse(ctx.language, 400, 'required', {
        en: `Name the practice whose portal you register for (parameter practice, a Reference to its Organization)${named ? `: '${named}' is none` : ''}`,
        nl: `Noem de praktijk voor wier portaal u zich registreert (parameter practice, een Reference naar de Organization)${named ? `: '${named}' is er geen` : ''}`,
      });
    }
    const records: string[] = [];
    for (const id of [who.patientId, ...(who.records ?? [])]) {
      const patient = await current(deps.store, 'Patient', id);
      if (patient && (await practicesOfPatient(deps.store, patient)).includes(practiceId)) records.push(id);
    }
    if (!records.length) {
      refuse(ctx.language, 409, 'business-rule', {
        en: `You are not a registered patient of ${contact.name}: register with the practice first (ask its assistant), then register for its portal`,
        nl: `U bent niet als patiënt ingeschreven bij ${contact.name}: schrijf u eerst in bij de praktijk (vraag de assistente) en registreer u daarna voor het portaal`,
      });
    }
    const patient = await current(deps.store, 'Patient', records[0]!);
    const name = (patient?.name as { text?: string; family?: string; given?: string[] }[] | undefined)?.[0];
    const made = await deps.store.transaction(async (tx) => {
      // The patient's records at this practice in turn (one statement, a fixed order): of two
      // registrations at once, the second finds the first's account.
      await tx.lockAll(
        [...records]
          .sort()
          .map((r) => ({ key: `portal-register-digid:${practiceId}:Patient/${r}`, shared: false })),
      );
      const registered = (await findResources(
        tx,
        deps.search,
        'Person',
        `patient=${records.map((r) => `Patient/${r}`).join(',')}&organization=Organization/${practiceId}&_tag=${portalTag}`,
        5,
      )) as PortalPerson[];
      const existing = registered.find((r) => r.active !== false);
      if (existing) return { person: existing as Resource, status: 200 };
      const id = randomUUID();
      // No e-mail address: one given here would be unchecked (README, "DigiD").
      const person = newPortalPerson({ id, registration: 'digid', practice: practiceId, patients: records });
      if (name) person.name = [name];
      await ctx.store.onBehalf(tx).insertNew([{ resourceType: 'Person', id, resource: person }]);
      if (contact.email) {
        await deps.mailer.send(
          tx.jobs,
          practiceNoticeMail({
            to: contact.email,
            practice: contact.name,
            person: `Person/${id}`,
            registration: 'digid',
            listUrl: waitingUrl(deps, practiceId).replace('&link:missing=true', ''),
          }),
        );
      }
      return { person: (await current(tx, 'Person', id)) as Resource, status: 201 };
    });
    if (made.status === 200) return { status: 200, headers: {}, resource: made.person };
    return {
      status: 201,
      headers: { Location: `${ctx.baseUrl}/Person/${made.person.id}/_history/1` },
      resource: made.person,
    };
  };
}
