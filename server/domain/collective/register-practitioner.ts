import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import { randomUUID } from 'node:crypto';
import { AGB_SYSTEM, UZI_PERSON_SYSTEM, findResources } from '../../auth/find-by-identifier.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { createCollectiveDirectory, type CollectiveDirectory } from './directory.ts';
import { newZrn, ZRN_SYSTEM } from './vocabulary.ts';

const BIG_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/big';

/**
 * `POST Practitioner/$register` (given, family, email; optional uzi, big, agb): a caregiver
 * registers and gets a ZRN, generated here, unique and case-sensitive, in the answer (the
 * Practitioner). Called by the registration app (a system client that verified the person's
 * e-mail address) or a trusted caller; a caregiver who already has a record needs none.
 */
export function registerPractitioner(deps: {
  store: ResourceStore;
  search: SearchEngine;
  directory: CollectiveDirectory;
}) {
  return async (ctx: RestContext, body: unknown): Promise<FhirResult> => {
    if (ctx.principal.kind !== 'system' && ctx.store.access.restricted) {
      refuse(ctx.language, 403, 'forbidden', {
        en: 'Caregivers register through the registration app (a system client), not with a personal login',
        nl: 'Zorgverleners registreren zich via de registratie-app (een systeemclient), niet met een persoonlijke login',
      });
    }
    const p = readParameters(body, ctx.language, '$register');
    const family = p.string('family');
    const given = p.strings('given');
    const email = p.string('email');
    if (!family || !given.length || !email) {
      refuse(ctx.language, 400, 'required', {
        en: "$register needs 'given', 'family' and 'email'",
        nl: "$register heeft 'given', 'family' en 'email' nodig",
      });
    }
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      refuse(ctx.language, 400, 'value', {
        en: `'${email}' is not an e-mail address`,
        nl: `'${email}' is geen e-mailadres`,
      });
    }
    const numbers = [
      { system: UZI_PERSON_SYSTEM, value: p.string('uzi'), name: 'UZI' },
      { system: BIG_SYSTEM, value: p.string('big'), name: 'BIG' },
      { system: AGB_SYSTEM, value: p.string('agb'), name: 'AGB' },
    ].filter((n): n is { system: string; value: string; name: string } => n.value !== undefined);
    const id = randomUUID();
    // One registration at a time: the checks below and the insert hold together.
    const practitioner = await deps.store.transaction(async (tx) => {
      await tx.lock('zorgpoort:register-practitioner');
      for (const n of numbers) {
        const taken = await findResources(
          tx,
          deps.search,
          'Practitioner',
          `identifier=${encodeURIComponent(`${n.system}|${n.value}`)}`,
          1,
        );
        if (taken.length) {
          refuse(ctx.language, 409, 'duplicate', {
            en: `A caregiver with ${n.name} number ${n.value} is already registered; ask the service desk to recover the account`,
            nl: `Er is al een zorgverlener met ${n.name}-nummer ${n.value} geregistreerd; vraag de servicedesk het account te herstellen`,
          });
        }
      }
      // 2^46 values: a clash is all but impossible, but a ZRN must name one person.
      const directory = createCollectiveDirectory({ store: tx, search: deps.search });
      let zrn = newZrn();
      while (await directory.practitionerByZrn(zrn)) zrn = newZrn();
      const resource = {
        resourceType: 'Practitioner',
        id,
        active: true,
        identifier: [
          { system: ZRN_SYSTEM, value: zrn },
          ...numbers.map(({ system, value }) => ({ system, value })),
        ],
        name: [{ family, given }],
        telecom: [{ system: 'email', value: email }],
      };
      await ctx.store.onBehalf(tx).insertNew([{ resourceType: 'Practitioner', id, resource }]);
      return resource;
    });
    return {
      status: 201,
      headers: { location: `${ctx.baseUrl}/Practitioner/${id}` },
      resource: practitioner,
    };
  };
}
