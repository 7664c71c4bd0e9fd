import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { roleCodes } from './add-caregiver.ts';
import { requireRole } from './authority.ts';
import { caregiverByZrn } from './caregiver-by-zrn.ts';
import { changeCollective, ok, type CollectiveDeps } from './changes.ts';
import { identifierValue, rolesIn, type Json } from './directory.ts';
import { endParticipation } from './team-changes.ts';
import { GRN_SYSTEM } from './vocabulary.ts';

/**
 * `POST Organization/[id]/$remove-caregiver` (zrn): a beheerder removes a caregiver from the
 * collective. Refused while they are in one of its groups (the answer names them: the group
 * gives access to plans, so it is changed first). Their membership ends and so does their own
 * place in the collective's plans; they can still log in, and see none of its patients.
 */
export function removeCaregiver(deps: CollectiveDeps) {
  return async (ctx: RestContext, collectiveId: string, body: unknown): Promise<FhirResult> => {
    const p = readParameters(body, ctx.language, '$remove-caregiver');
    const ended = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      await requireRole(ctx, changes.directory, collectiveId, ['beheerder'], {
        en: 'remove caregivers from it',
        nl: 'er zorgverleners uit verwijderen',
      });
      const caregiver = await caregiverByZrn(ctx, changes.directory, p.string('zrn'), '$remove-caregiver');
      const found = await changes.directory.membership(collectiveId, caregiver.id);
      const current = found && (await changes.current('PractitionerRole', found.id as string));
      const roles = rolesIn(current);
      if (!current || !roles.has('caregiver')) {
        refuse(ctx.language, 422, 'not-found', {
          en: `The caregiver with ZRN ${p.string('zrn')} is not in this collective`,
          nl: `De zorgverlener met ZRN ${p.string('zrn')} zit niet in dit zorgcollectief`,
        });
      }
      const groups = await changes.directory.groupsOf(collectiveId, caregiver.id);
      if (groups.length) {
        const names = groups
          .map((g: Json) => `${g.name ?? ''} (GRN ${identifierValue(g, GRN_SYSTEM)})`)
          .join(', ');
        refuse(ctx.language, 409, 'business-rule', {
          en: `The caregiver is still in the group(s) ${names}; remove them from those groups first`,
          nl: `De zorgverlener zit nog in de groep(en) ${names}; haal hem of haar eerst uit die groepen`,
        });
      }
      if (roles.has('administrator') || roles.has('beheerder')) {
        refuse(ctx.language, 409, 'business-rule', {
          en: 'The caregiver is also an administrator or beheerder here; the administrator takes that role away first',
          nl: 'De zorgverlener is hier ook administrator of beheerder; de administrator neemt die rol eerst af',
        });
      }
      const now = new Date().toISOString();
      for (const team of await changes.directory.teamsListing(collectiveId, `Practitioner/${caregiver.id}`)) {
        const locked = await changes.current('CareTeam', team.id as string);
        if (locked) await changes.update(endParticipation(locked, `Practitioner/${caregiver.id}`, now));
      }
      const plans = await changes.directory.plans(collectiveId);
      await changes.records.withdrawPending(
        plans.map((p) => p.id as string),
        caregiver.id,
      );
      return changes.update({
        ...current,
        active: false,
        period: { ...(current.period ?? {}), end: now },
        code: roleCodes([]),
      });
    });
    return ok(ended);
  };
}
