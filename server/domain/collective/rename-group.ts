import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { changeCollective, ok, type CollectiveDeps } from './changes.ts';
import { groupCollective, groupForBeheerder } from './group-access.ts';

/** `POST CareTeam/[id]/$rename-group` (name): a beheerder renames a caregiver group; its GRN stays. */
export function renameGroup(deps: CollectiveDeps) {
  return async (ctx: RestContext, groupId: string, body: unknown): Promise<FhirResult> => {
    const name = readParameters(body, ctx.language, '$rename-group').string('name')?.trim();
    if (!name) {
      refuse(ctx.language, 400, 'required', {
        en: "$rename-group needs a 'name'",
        nl: "$rename-group heeft een 'name' nodig",
      });
    }
    const collectiveId = await groupCollective(ctx, deps, groupId);
    const group = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const { group } = await groupForBeheerder(ctx, changes, collectiveId, groupId);
      return group.name === name ? group : changes.update({ ...group, name });
    });
    return ok(group);
  };
}
