import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { requireRole } from './authority.ts';
import { caregiverByZrn } from './caregiver-by-zrn.ts';
import { changeCollective, ok, type CollectiveDeps } from './changes.ts';
import { collectiveOf } from '../../access/rules/collective-managed.ts';
import { identifierValue } from './directory.ts';
import { addParticipation, endParticipation, hasMember } from './team-changes.ts';
import { GRN_SYSTEM } from './vocabulary.ts';

/**
 * Caregiver groups (zorgverlenergroepen): a CareTeam with a generated GRN, made and changed by a
 * beheerder of its collective. A plan's team lists the group itself, so a member added or
 * removed here gains or loses every plan of the group on their next request.
 */

/** `POST CareTeam/[id]/$add-member` and `$remove-member` (zrn): a beheerder changes a group. */
export function changeGroupMember(deps: CollectiveDeps, add: boolean) {
  const operation = add ? '$add-member' : '$remove-member';
  return async (ctx: RestContext, groupId: string, body: unknown): Promise<FhirResult> => {
    const p = readParameters(body, ctx.language, operation);
    const stored = await deps.directory.read('CareTeam', groupId);
    const collectiveId = collectiveOf(stored);
    if (!stored || !collectiveId || !identifierValue(stored, GRN_SYSTEM)) {
      refuse(ctx.language, 404, 'not-found', {
        en: `CareTeam/${groupId} is not a caregiver group of a care collective`,
        nl: `CareTeam/${groupId} is geen zorgverlenergroep van een zorgcollectief`,
      });
    }
    const group = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      await requireRole(ctx, changes.directory, collectiveId, ['beheerder'], {
        en: 'change its caregiver groups',
        nl: 'de zorgverlenergroepen wijzigen',
      });
      const caregiver = await caregiverByZrn(ctx, changes.directory, p.string('zrn'), operation);
      const team = await changes.current('CareTeam', groupId);
      if (!team) {
        refuse(ctx.language, 404, 'not-found', {
          en: `CareTeam/${groupId} is not known`,
          nl: `CareTeam/${groupId} is onbekend`,
        });
      }
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
