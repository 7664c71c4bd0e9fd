import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { refuseSelf, requireRole } from './authority.ts';
import { caregiverByZrn } from './caregiver-by-zrn.ts';
import { changeCollective, managedBy, ok, type Changes, type CollectiveDeps } from './changes.ts';
import type { Json } from './directory.ts';
import { addParticipation } from './team-changes.ts';
import { GRN_SYSTEM, newGrn } from './vocabulary.ts';

/**
 * Caregiver groups (zorgverlenergroepen): a CareTeam with a generated GRN, made and changed by a
 * beheerder of its collective. A plan's team lists the group itself, so a member added or
 * removed here gains or loses every plan of the group on their next request.
 */

/** `POST Organization/[id]/$create-group` (name, zrn*): a new group with these members. */
export function createGroup(deps: CollectiveDeps) {
  return async (ctx: RestContext, collectiveId: string, body: unknown): Promise<FhirResult> => {
    const p = readParameters(body, ctx.language, '$create-group');
    const name = p.string('name');
    if (!name) {
      refuse(ctx.language, 400, 'required', {
        en: "$create-group needs a 'name'",
        nl: "$create-group heeft een 'name' nodig",
      });
    }
    const group = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const actor = await requireRole(ctx, changes.directory, collectiveId, ['beheerder'], {
        en: 'create caregiver groups',
        nl: 'zorgverlenergroepen aanmaken',
      });
      let team: Json = {
        resourceType: 'CareTeam',
        ...managedBy(collectiveId),
        status: 'active',
        identifier: [{ system: GRN_SYSTEM, value: await unusedGrn(changes) }],
        name,
        managingOrganization: [{ reference: `Organization/${collectiveId}` }],
        participant: [],
      };
      for (const zrn of p.strings('zrn')) {
        const caregiver = await caregiverByZrn(ctx, changes.directory, zrn, '$create-group');
        refuseSelf(ctx, actor, caregiver.id);
        team = addParticipation(team, `Practitioner/${caregiver.id}`);
      }
      return changes.create(team);
    });
    return { ...ok(group, 201), headers: { location: `${ctx.baseUrl}/CareTeam/${group.id as string}` } };
  };
}

async function unusedGrn(changes: Changes): Promise<string> {
  let grn = newGrn();
  while (await changes.directory.groupByGrn(grn)) grn = newGrn();
  return grn;
}
