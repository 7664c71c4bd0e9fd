import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { randomUUID } from 'node:crypto';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { changeCollective, managedBy, ok, type CollectiveDeps } from './changes.ts';
import { COLLECTIVE_ROLE_SYSTEM } from './vocabulary.ts';

export const ORGANIZATION_TYPE_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/organization-type';

/**
 * `POST Organization/$create-collective` (name, administrator ZRN, optional partOf): the network's
 * operator sets up an institution's collective with its first administrator. Only a trusted
 * caller: a collective is a contract with an institution, not something a caregiver starts.
 */
export function createCollective(deps: CollectiveDeps) {
  return async (ctx: RestContext, body: unknown): Promise<FhirResult> => {
    if (ctx.store.access.restricted) {
      refuse(ctx.language, 403, 'forbidden', {
        en: "A care collective is set up by the network's operator (a trusted client), for an institution",
        nl: 'Een zorgcollectief wordt door de beheerder van het netwerk (een vertrouwde client) ingericht, voor een instelling',
      });
    }
    const p = readParameters(body, ctx.language, '$create-collective');
    const name = p.string('name');
    const zrn = p.string('administrator');
    if (!name || !zrn) {
      refuse(ctx.language, 400, 'required', {
        en: "$create-collective needs 'name' and 'administrator' (the ZRN of its first administrator)",
        nl: "$create-collective heeft 'name' en 'administrator' (het ZRN van de eerste administrator) nodig",
      });
    }
    const administrator = await deps.directory.practitionerByZrn(zrn);
    if (!administrator) {
      refuse(ctx.language, 422, 'not-found', {
        en: `No caregiver has ZRN ${zrn} (a ZRN is case-sensitive)`,
        nl: `Geen zorgverlener heeft ZRN ${zrn} (een ZRN is hoofdlettergevoelig)`,
      });
    }
    const id = randomUUID();
    const partOf = p.string('partOf');
    const organization = await changeCollective(ctx, deps, id, async (changes) => {
      const org = await changes.create({
        resourceType: 'Organization',
        id,
        ...managedBy(id),
        active: true,
        type: [
          {
            coding: [
              { system: ORGANIZATION_TYPE_SYSTEM, code: 'care-collective', display: 'Zorgcollectief' },
            ],
          },
        ],
        name,
        ...(partOf ? { partOf: { reference: partOf } } : {}),
      });
      await changes.create({
        resourceType: 'PractitionerRole',
        ...managedBy(id),
        active: true,
        practitioner: { reference: `Practitioner/${administrator.id}` },
        organization: { reference: `Organization/${id}` },
        code: [{ coding: [{ system: COLLECTIVE_ROLE_SYSTEM, code: 'administrator' }] }],
      });
      return org;
    });
    return { ...ok(organization, 201), headers: { location: `${ctx.baseUrl}/Organization/${id}` } };
  };
}
