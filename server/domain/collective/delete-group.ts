import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { changeCollective, ok, type CollectiveDeps } from './changes.ts';
import { nameOf } from './directory.ts';
import { groupCollective, groupForBeheerder } from './group-access.ts';
import { isOpen } from './plan-access.ts';
import { planCasemanagers } from './plan-records.ts';
import { endParticipation, hasMember } from './team-changes.ts';

/**
 * `POST CareTeam/[id]/$delete-group`: a beheerder deletes a caregiver group. Refused while the
 * group is in an open plan: deleting it would take the patient from its members behind the
 * backs of the plan's casemanagers, so the answer names them (they remove the group first).
 * The group is kept, `inactive` with its members' places ended, for the history; its GRN is
 * never given out again.
 */
export function deleteGroup(deps: CollectiveDeps) {
  return async (ctx: RestContext, groupId: string): Promise<FhirResult> => {
    const collectiveId = await groupCollective(ctx, deps, groupId);
    const group = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const { group } = await groupForBeheerder(ctx, changes, collectiveId, groupId);
      const member = `CareTeam/${groupId}`;
      const teams = (await changes.directory.teamsListing(collectiveId, member)).filter((t) =>
        hasMember(t, member),
      );
      const openTeams = new Set(
        (await changes.directory.plans(collectiveId))
          .filter(isOpen)
          .flatMap((plan) => ((plan.careTeam ?? []) as { reference?: string }[]).map((r) => r.reference)),
      );
      const inOpenPlans = teams.filter((t) => openTeams.has(`CareTeam/${t.id as string}`));
      if (inOpenPlans.length) {
        const names: string[] = [];
        for (const id of new Set(inOpenPlans.flatMap(planCasemanagers))) {
          names.push(nameOf(await changes.directory.read('Practitioner', id)) || id);
        }
        const who = names.join(', ') || '-';
        refuse(ctx.language, 409, 'business-rule', {
          en: `The group is in ${inOpenPlans.length} open plan(s); their casemanagers (${who}) remove it from them first`,
          nl: `De groep zit in ${inOpenPlans.length} lopend(e) behandelplan(nen); de casemanagers daarvan (${who}) halen de groep er eerst uit`,
        });
      }
      const now = new Date().toISOString();
      let ended = group;
      for (const p of (group.participant ?? []) as { member?: { reference?: string } }[]) {
        if (p.member?.reference) ended = endParticipation(ended, p.member.reference, now);
      }
      return changes.update({ ...ended, status: 'inactive' });
    });
    return ok(group);
  };
}
