import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { changeCollective, ok, type CollectiveDeps } from './changes.ts';
import { isOpen, lockedPlan, planCollective, refuseClosed, requirePlanCasemanager } from './plan-access.ts';

/**
 * `POST CarePlan/[id]/$stop`: a casemanager of the plan stops it. The plan is completed, its team
 * and its consent end, so nobody reaches the patient through it from the next request on; what
 * was written in it stays in the patient's record.
 */
export function stopPlan(deps: CollectiveDeps) {
  return async (ctx: RestContext, planId: string): Promise<FhirResult> => {
    const collectiveId = await planCollective(ctx, deps, planId);
    const stopped = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const { plan, team } = await lockedPlan(changes, planId);
      await requirePlanCasemanager(ctx, changes, collectiveId, team, {
        en: 'stop this plan',
        nl: 'dit behandelplan stopzetten',
      });
      if (!isOpen(plan)) refuseClosed(ctx, plan);
      const now = new Date().toISOString();
      await changes.update({ ...team, status: 'inactive', period: { ...(team.period ?? {}), end: now } });
      for (const consent of await changes.directory.planConsents(collectiveId, team.id as string)) {
        const locked = await changes.current('Consent', consent.id as string);
        if (locked) await changes.update({ ...locked, status: 'inactive' });
      }
      await changes.records.withdrawPending([planId]);
      await changes.records.voidActivation(planId);
      return changes.update({
        ...plan,
        status: plan.status === 'draft' ? 'revoked' : 'completed',
        period: { ...(plan.period ?? {}), end: now },
      });
    });
    return ok(stopped);
  };
}
