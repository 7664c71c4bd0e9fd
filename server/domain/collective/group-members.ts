import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { refuseSelf } from './authority.ts';
import { caregiverByZrn } from './caregiver-by-zrn.ts';
import { changeCollective, ok, type CollectiveDeps } from './changes.ts';
import { groupCollective, groupForBeheerder } from './group-access.ts';
import { addParticipation, endParticipation, hasMember } from './team-changes.ts';

/**
 * `POST CareTeam/[id]/$add-member` and `$remove-member` (zrn): a beheerder changes a caregiver
 * group (zorgverlenergroep). A plan's team lists the group itself, so a member added or removed
 * here gains or loses every plan of the group on their next request.
 */
export function changeGroupMember(deps: CollectiveDeps, add: boolean) {
  const operation = add ? '$add-member' : '$remove-member';
  return async (ctx: RestContext, groupId: string, body: unknown): Promise<FhirResult> => {
    const p = readParameters(body, ctx.language, operation);
    const collectiveId = await groupCollective(ctx, deps, groupId);
    const group = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const { group: team, actor } = await groupForBeheerder(ctx, changes, collectiveId, groupId);
      const caregiver = await caregiverByZrn(ctx, changes.directory, p.string('zrn'), operation);
      // Joining a group is joining its plans.
      if (add) refuseSelf(ctx, actor, caregiver.id);
      const member = `Practitioner/${caregiver.id}`;
      if (add) return hasMember(team, member) ? team : changes.update(addParticipation(team, member));
      if (!hasMember(team, member)) {
        refuse(ctx.language, 422, 'not-found', {
          en: `The caregiver with ZRN ${p.string('zrn')} is not in this group`,
          nl: `De zorgverlener met ZRN ${p.string('zrn')} zit niet in deze groep`,
        });
      }
      return changes.update(endParticipation(team, member, new Date().toISOString()));
    });
    return ok(group);
  };
}
