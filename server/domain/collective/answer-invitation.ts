import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse, say } from '../language.ts';
import { changeCollective, ok, type CollectiveDeps } from './changes.ts';
import { isOpen, lockedPlan, planCollective } from './plan-access.ts';
import { addParticipation } from './team-changes.ts';

const noInvitation = {
  en: 'You have no open invitation to this plan (it may have been withdrawn); ask its casemanager',
  nl: 'U heeft geen openstaande uitnodiging voor dit behandelplan (misschien ingetrokken); vraag het de casemanager',
};

/**
 * `POST CarePlan/[id]/$accept-invitation` and `$decline-invitation`: the invited caregiver,
 * logged in, answers. Accepting joins the plan's team; declining leaves it as it was, and the
 * plan's casemanagers see the answer in `$invitations`. Only the invitee answers; an
 * invitation to a plan that has ended is void.
 */
export function answerInvitation(deps: CollectiveDeps, accept: boolean) {
  return async (ctx: RestContext, planId: string): Promise<FhirResult> => {
    const who = ctx.principal;
    if (who.kind !== 'practitioner') {
      refuse(ctx.language, 403, 'forbidden', {
        en: 'An invitation to a plan is answered by the invited caregiver, logged in',
        nl: 'Een uitnodiging voor een behandelplan wordt beantwoord door de uitgenodigde zorgverlener, ingelogd',
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
      await changes.records.answerInvitation(pending.id, accept ? 'accepted' : 'declined');
      return accept
        ? changes.update(addParticipation(team, `Practitioner/${who.practitionerId}`))
        : undefined;
    });
    return team
      ? ok(team)
      : {
          status: 200,
          headers: {},
          resource: {
            resourceType: 'OperationOutcome',
            issue: [
              {
                severity: 'information',
                code: 'informational',
                diagnostics: say(ctx.language, {
                  en: 'Invitation declined; the casemanager sees your answer',
                  nl: 'Uitnodiging afgewezen; de casemanager ziet uw antwoord',
                }),
              },
            ],
          },
        };
  };
}
