import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { readParameters } from '../parameters.ts';
import { changeCollective, parameters, type CollectiveDeps } from './changes.ts';
import { isOpen, lockedPlan, planCollective, refuseClosed, requirePlanCasemanager } from './plan-access.ts';
import { newActivationCode } from './vocabulary.ts';

/**
 * `POST CarePlan/[id]/$activation-code` (reissue?): a casemanager of the plan looks up the code a
 * patient lost, or replaces it (`reissue` true: the old one works no more). The code is a secret
 * of the plan: no read or search shows it, only this operation and $waiting-for-activation.
 */
export function activationCode(deps: CollectiveDeps) {
  return async (ctx: RestContext, planId: string, body: unknown): Promise<FhirResult> => {
    const p = readParameters(body, ctx.language, '$activation-code');
    const collectiveId = await planCollective(ctx, deps, planId);
    const answer = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const { plan, team } = await lockedPlan(changes, planId);
      await requirePlanCasemanager(ctx, changes, collectiveId, team, {
        en: "see this plan's activation code",
        nl: 'de activatiecode van dit behandelplan zien',
      });
      const [current] = await changes.records.activationsOf([planId]);
      if (current?.activatedAt) {
        return parameters(
          { name: 'status', valueCode: 'activated' },
          { name: 'activated', valueInstant: current.activatedAt.toISOString() },
        );
      }
      if (!isOpen(plan)) refuseClosed(ctx, plan);
      if (p.boolean('reissue') || !current)
        await changes.records.issueActivation(planId, newActivationCode());
      const [now] = await changes.records.activationsOf([planId]);
      return parameters(
        { name: 'status', valueCode: 'waiting' },
        { name: 'activationCode', valueString: now!.code },
        { name: 'issued', valueInstant: now!.issuedAt.toISOString() },
      );
    });
    return { status: 200, headers: {}, resource: answer as FhirResult['resource'] };
  };
}
