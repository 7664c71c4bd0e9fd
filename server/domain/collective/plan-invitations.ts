import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { changeCollective, parameters, type CollectiveDeps } from './changes.ts';
import { lockedPlan, planCollective, requirePlanCasemanager } from './plan-access.ts';

/** `GET CarePlan/[id]/$invitations`: a casemanager of the plan sees its invitations and their state. */
export function planInvitations(deps: CollectiveDeps) {
  return async (ctx: RestContext, planId: string): Promise<FhirResult> => {
    const collectiveId = await planCollective(ctx, deps, planId);
    const invitations = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const { team } = await lockedPlan(changes, planId);
      await requirePlanCasemanager(ctx, changes, collectiveId, team, {
        en: "see this plan's invitations",
        nl: 'de uitnodigingen van dit behandelplan zien',
      });
      return changes.records.invitationsOf(planId);
    });
    return {
      status: 200,
      headers: {},
      resource: parameters(
        ...invitations.map((i) => ({
          name: 'invitation',
          part: [
            { name: 'id', valueString: i.id },
            { name: 'practitioner', valueReference: { reference: `Practitioner/${i.practitionerId}` } },
            { name: 'status', valueCode: i.status },
            { name: 'invited', valueInstant: i.createdAt.toISOString() },
            ...(i.answeredAt ? [{ name: 'answered', valueInstant: i.answeredAt.toISOString() }] : []),
          ],
        })),
      ) as FhirResult['resource'],
    };
  };
}
