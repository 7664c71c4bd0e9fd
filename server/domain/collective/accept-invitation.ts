import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { changeCollective, ok, type CollectiveDeps } from './changes.ts';
import { isOpen, lockedPlan, planCollective } from './plan-access.ts';
import { addParticipation } from './team-changes.ts';

const noInvitation = {
  en: 'You have no open invitation to this plan (it may have been withdrawn); ask its casemanager',
  nl: 'U heeft geen openstaande uitnodiging voor dit behandelplan (misschien ingetrokken); vraag het de casemanager',
};

/**
 * `POST CarePlan/[id]/$accept-invitation`: the invited caregiver, logged in, accepts and joins the
 * plan's team. Only the invitee can; an invitation to a plan that has ended is void.
 */
export function acceptInvitation(deps: CollectiveDeps) {
  return async (ctx: RestContext, planId: string): Promise<FhirResult> => {
    const who = ctx.principal;
    if (who.kind !== 'practitioner') {
      refuse(ctx.language, 403, 'forbidden', {
        en: 'An invitation to a plan is accepted by the invited caregiver, logged in',
        nl: 'Een uitnodiging voor een behandelplan wordt geaccepteerd door de uitgenodigde zorgverlener, ingelogd',
      });
    }
    const collectiveId = await planCollective(ctx, deps, planId);
    const team = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const pending = (await changes.records.invitationsOf(planId, 'pending')).find(
        (i) => i.practitionerId === who.practitionerId,
      );
      if (!pending) refuse(ctx.language, 422, 'not-found', noInvitation);
      const { plan, team } = await lockedPlan(changes, planId);
      if (!isOpen(plan)) {
        refuse(ctx.language, 409, 'business-rule', {
          en: 'This plan has ended; the invitation is void',
          nl: 'Dit behandelplan is beëindigd; de uitnodiging vervalt',
        });
      }
      await changes.records.answerInvitation(pending.id, 'accepted');
      return changes.update(addParticipation(team, `Practitioner/${who.practitionerId}`));
    });
    return ok(team);
  };
}
