import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { caregiverByZrn } from './caregiver-by-zrn.ts';
import { changeCollective, ok, type CollectiveDeps } from './changes.ts';
import { identifierValue, teamMembers } from './directory.ts';
import { lockedPlan, planCollective, requirePlanCasemanager } from './plan-access.ts';
import { endParticipation, hasMember } from './team-changes.ts';
import { GRN_SYSTEM } from './vocabulary.ts';

/**
 * `POST CarePlan/[id]/$remove-participant` (zrn or grn): a casemanager of the plan takes access
 * away, from the next request on. A caregiver who is in the plan only through a group cannot be
 * removed alone: the answer names the group (remove it, or ask the beheerder to change it). A
 * pending invitation is withdrawn.
 */
export function removeParticipant(deps: CollectiveDeps) {
  return async (ctx: RestContext, planId: string, body: unknown): Promise<FhirResult> => {
    const p = readParameters(body, ctx.language, '$remove-participant');
    const zrn = p.string('zrn');
    const grn = p.string('grn');
    if (!zrn === !grn) {
      refuse(ctx.language, 400, 'required', {
        en: "$remove-participant needs either 'zrn' (a caregiver) or 'grn' (a caregiver group)",
        nl: "$remove-participant heeft 'zrn' (een zorgverlener) of 'grn' (een zorgverlenergroep) nodig",
      });
    }
    const collectiveId = await planCollective(ctx, deps, planId);
    const team = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const { team } = await lockedPlan(changes, planId);
      await requirePlanCasemanager(ctx, changes, collectiveId, team, {
        en: 'remove caregivers from this plan',
        nl: 'zorgverleners uit dit behandelplan verwijderen',
      });
      const now = new Date().toISOString();
      if (grn) {
        const group = await changes.directory.groupByGrn(grn);
        const member = group && `CareTeam/${group.id as string}`;
        if (!member || !hasMember(team, member)) {
          refuse(ctx.language, 422, 'not-found', {
            en: `No group with GRN ${grn} is in this plan`,
            nl: `Er zit geen groep met GRN ${grn} in dit behandelplan`,
          });
        }
        return changes.update(endParticipation(team, member, now));
      }
      const caregiver = await caregiverByZrn(ctx, changes.directory, zrn, '$remove-participant');
      const member = `Practitioner/${caregiver.id}`;
      const viaGroups = [];
      for (const groupId of teamMembers(team, 'CareTeam')) {
        const group = await changes.directory.read('CareTeam', groupId);
        if (group && teamMembers(group, 'Practitioner').includes(caregiver.id)) viaGroups.push(group);
      }
      // Also when they are in the plan on their own as well: ending that would answer 200 and
      // leave their access as it was.
      if (viaGroups.length) {
        const names = viaGroups
          .map((g) => `${g.name ?? ''} (GRN ${identifierValue(g, GRN_SYSTEM)})`)
          .join(', ');
        refuse(ctx.language, 409, 'business-rule', {
          en: `The caregiver is in this plan through the group(s) ${names}: remove the group from the plan, or ask the beheerder to take them out of the group`,
          nl: `De zorgverlener zit in dit behandelplan via de groep(en) ${names}: verwijder de groep uit het plan, of vraag de beheerder hem of haar uit de groep te halen`,
        });
      }
      if (hasMember(team, member)) return changes.update(endParticipation(team, member, now));
      const pending = (await changes.records.invitationsOf(planId, 'pending')).find(
        (i) => i.practitionerId === caregiver.id,
      );
      if (!pending) {
        refuse(ctx.language, 422, 'not-found', {
          en: `The caregiver with ZRN ${zrn} is not in this plan`,
          nl: `De zorgverlener met ZRN ${zrn} zit niet in dit behandelplan`,
        });
      }
      await changes.records.answerInvitation(pending.id, 'withdrawn');
      return team;
    });
    return ok(team);
  };
}
