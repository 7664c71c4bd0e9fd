import type { RestContext } from '../../fhir/rest/types.ts';
import { collectiveOf } from '../../access/rules/collective-managed.ts';
import { refuse, type Said } from '../language.ts';
import { actorIn, requireRole, type Actor } from './authority.ts';
import type { Changes, CollectiveDeps } from './changes.ts';
import type { Json } from './directory.ts';
import { planCasemanagers } from './plan-records.ts';

/** The collective a plan belongs to; 404 when `planId` is no collective's plan. */
export async function planCollective(
  ctx: RestContext,
  deps: CollectiveDeps,
  planId: string,
): Promise<string> {
  const plan = await deps.directory.read('CarePlan', planId);
  const collectiveId = collectiveOf(plan);
  // Someone with nothing to do with the plan (who cannot read it, holds no role in its
  // collective and has no invitation to it) learns nothing of it: not even that it exists.
  const who = ctx.principal;
  const concerned =
    plan !== undefined &&
    collectiveId !== undefined &&
    (ctx.store.canSee(plan) ||
      (await actorIn(ctx, deps.directory, collectiveId)).roles.size > 0 ||
      (who.kind === 'practitioner' &&
        (await deps.store.collective.invitationsOf(planId, 'pending')).some(
          (i) => i.practitionerId === who.practitionerId,
        )));
  if (!collectiveId || !concerned) {
    refuse(ctx.language, 404, 'not-found', {
      en: `CarePlan/${planId} is not a care plan of a care collective`,
      nl: `CarePlan/${planId} is geen behandelplan van een zorgcollectief`,
    });
  }
  return collectiveId;
}

/** The plan and its team, locked for this change. */
export async function lockedPlan(
  changes: Changes,
  planId: string,
  ctx?: RestContext,
): Promise<{ plan: Json; team: Json }> {
  const plan = await changes.current('CarePlan', planId);
  if (!plan) gone(ctx, `CarePlan/${planId}`);
  const teamId = ((plan.careTeam as { reference?: string }[] | undefined)?.[0]?.reference ?? '').replace(
    /^CareTeam\//,
    '',
  );
  const team = await changes.current('CareTeam', teamId);
  if (!team) gone(ctx, `CareTeam/${teamId}`);
  return { plan, team };
}

/** The caller, if a casemanager in the collective and of this plan (or trusted). */
export async function requirePlanCasemanager(
  ctx: RestContext,
  changes: Changes,
  collectiveId: string,
  team: Json,
  action: Said,
): Promise<Actor> {
  const actor = await requireRole(ctx, changes.directory, collectiveId, ['casemanager'], action);
  if (actor.practitionerId && !planCasemanagers(team).includes(actor.practitionerId)) {
    refuse(ctx.language, 403, 'forbidden', {
      en: `Only a casemanager of this plan may ${action.en}; ask its casemanager, or a beheerder to assign you to it`,
      nl: `Alleen een casemanager van dit behandelplan mag ${action.nl}; vraag het de casemanager, of vraag een beheerder u eraan toe te wijzen`,
    });
  }
  return actor;
}

/** Deleted between the first read and the lock (a trusted caller's delete): as if it never was. */
function gone(ctx: RestContext | undefined, what: string): never {
  return refuse(ctx?.language, 404, 'not-found', { en: `${what} is not known`, nl: `${what} is onbekend` });
}

export const isOpen = (plan: Json) => plan.status === 'active' || plan.status === 'draft';

export function refuseClosed(ctx: RestContext, plan: Json): never {
  return refuse(ctx.language, 409, 'business-rule', {
    en: `CarePlan/${plan.id as string} has ended (${plan.status as string}); start a new plan`,
    nl: `CarePlan/${plan.id as string} is beëindigd (${plan.status as string}); start een nieuw behandelplan`,
  });
}
