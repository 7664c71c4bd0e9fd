import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { readParameters } from '../parameters.ts';
import { refuse } from '../language.ts';
import { BIG, PHONE } from './accept-invitation.ts';
import type { AccountDeps } from './account-deps.ts';
import { changeFunctions, functionRole, ok } from './function-changes.ts';
import { functionOf, idOf, isCareFunction, type Json } from './function-roles.ts';
import { AGB, isEmail } from './invite-colleague.ts';
import { AGB_SYSTEM, BIG_SYSTEM, VERIFIED_EXTENSION } from './vocabulary.ts';

const withIdentifier = (identifiers: Json[] | undefined, system: string, value: string) => [
  ...(identifiers ?? []).filter((i) => i.system !== system),
  { system, value },
];

const withTelecom = (telecom: Json[] | undefined, system: 'email' | 'phone', value: string) => [
  ...(telecom ?? []).filter((t) => t.system !== system),
  { system, value, use: 'work' },
];

/**
 * `POST PractitionerRole/[id]/$function-details` (seed "Aanpassen van functiegegevens"): the
 * holder of a function keeps its details: the AGB code (8 digits, care functions) and the
 * correspondence e-mail and phone on the function, the BIG number (11 digits) on the person. A
 * changed AGB code undoes the function's verification: the responsible admin verified the old.
 */
export function functionDetails(deps: AccountDeps) {
  return async (ctx: RestContext, id: string, body: unknown): Promise<FhirResult> => {
    const role = await functionRole(ctx, deps, id);
    const person = idOf(role.practitioner, 'Practitioner');
    if (ctx.principal.kind !== 'practitioner' || person !== ctx.principal.practitionerId) {
      refuse(ctx.language, 403, 'forbidden', {
        en: "A function's details are changed by the person who holds it, logged in",
        nl: 'De gegevens van een functie worden gewijzigd door de persoon die hem heeft, ingelogd',
      });
    }
    const p = readParameters(body, ctx.language, '$function-details');
    const agb = p.string('agb');
    const big = p.string('big')?.replace(/\s/g, '');
    const email = p.string('email')?.toLowerCase();
    const phone = p.string('phone');
    const problems: { en: string; nl: string }[] = [];
    if (agb !== undefined && !AGB.test(agb))
      problems.push({ en: 'an AGB code is 8 digits', nl: 'een AGB-code is 8 cijfers' });
    if (agb !== undefined && !isCareFunction(functionOf(role)!)) {
      problems.push({
        en: 'only a care function has an AGB code',
        nl: 'alleen een zorgverlenersfunctie heeft een AGB-code',
      });
    }
    if (big !== undefined && !BIG.test(big))
      problems.push({ en: 'a BIG number is 11 digits', nl: 'een BIG-nummer is 11 cijfers' });
    if (email !== undefined && !isEmail(email)) {
      problems.push({
        en: 'the e-mail address is not one (name@example.org)',
        nl: 'het e-mailadres is er geen (naam@voorbeeld.nl)',
      });
    }
    if (phone !== undefined && !PHONE.test(phone)) {
      problems.push({
        en: 'the phone number is not one (+31201234567)',
        nl: 'het telefoonnummer is er geen (+31201234567)',
      });
    }
    if (agb === undefined && big === undefined && email === undefined && phone === undefined) {
      problems.push({ en: 'give agb, big, email or phone', nl: 'geef agb, big, email of phone' });
    }
    if (problems.length) {
      refuse(ctx.language, 400, 'invalid', {
        en: `Function details not changed: ${problems.map((x) => x.en).join('; ')}`,
        nl: `Functiegegevens niet gewijzigd: ${problems.map((x) => x.nl).join('; ')}`,
      });
    }
    return changeFunctions(ctx, deps, async (changes) => {
      const now = (await changes.locked('PractitionerRole', id))!;
      if (now.active === false) {
        refuse(ctx.language, 409, 'business-rule', {
          en: 'This function is deactivated; its details are kept as they were',
          nl: 'Deze functie is gedeactiveerd; de gegevens blijven zoals ze waren',
        });
      }
      const oldAgb = ((now.identifier ?? []) as Json[]).find((i) => i.system === AGB_SYSTEM)?.value;
      let changed: Json = { ...now };
      if (agb !== undefined) changed.identifier = withIdentifier(now.identifier, AGB_SYSTEM, agb);
      if (email !== undefined) changed.telecom = withTelecom(changed.telecom, 'email', email);
      if (phone !== undefined) changed.telecom = withTelecom(changed.telecom, 'phone', phone);
      if (agb !== undefined && agb !== oldAgb) {
        const extension = ((now.extension ?? []) as Json[]).filter((e) => e.url !== VERIFIED_EXTENSION);
        const { extension: _, ...rest } = changed;
        changed = extension.length ? { ...rest, extension } : rest;
      }
      await changes.put(changed);
      if (big !== undefined) {
        const practitioner = await changes.locked('Practitioner', person);
        if (practitioner) {
          await changes.put({
            ...practitioner,
            identifier: withIdentifier(practitioner.identifier, BIG_SYSTEM, big),
          });
        }
      }
      return ok(changed);
    });
  };
}
