import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { refuseSelf, requireRole } from './authority.ts';
import { caregiverByZrn } from './caregiver-by-zrn.ts';
import { changeCollective, ok, type CollectiveDeps } from './changes.ts';
import { rolesIn } from './directory.ts';
import { CASEMANAGER_IN_PLAN, planCasemanagers } from './plan-records.ts';
import { isOpen, lockedPlan, planCollective } from './plan-access.ts';
import { endParticipation } from './team-changes.ts';

/**
 * `POST CarePlan/[id]/$assign-casemanager` (zrn): a beheerder gives an active plan that has no
 * casemanager left (staff changes) one of the collective's casemanagers.
 */
export function assignCasemanager(deps: CollectiveDeps) {
  return async (ctx: RestContext, planId: string, body: unknown): Promise<FhirResult> => {
    const p = readParameters(body, ctx.language, '$assign-casemanager');
    const collectiveId = await planCollective(ctx, deps, planId);
    const team = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const actor = await requireRole(ctx, changes.directory, collectiveId, ['beheerder'], {
        en: 'assign a casemanager to a plan',
        nl: 'een casemanager aan een behandelplan toewijzen',
      });
      const { plan, team } = await lockedPlan(changes, planId);
      // A draft (no BSN, waiting for activation) too: without a casemanager nobody could reissue
      // its code, remind the patient or stop it.
      if (!isOpen(plan)) {
        refuse(ctx.language, 409, 'business-rule', {
          en: 'Only an open plan (active, or waiting for activation) gets a casemanager assigned',
          nl: 'Alleen een lopend behandelplan (actief, of wachtend op activatie) krijgt een casemanager toegewezen',
        });
      }
      const members = await changes.directory.members(collectiveId);
      const still = planCasemanagers(team).filter((id) =>
        members.some(
          (m) => m.practitioner?.reference === `Practitioner/${id}` && rolesIn(m).has('casemanager'),
        ),
      );
      if (still.length) {
        refuse(ctx.language, 409, 'business-rule', {
          en: 'This plan still has a casemanager; they add others to it',
          nl: 'Dit behandelplan heeft nog een casemanager; die voegt anderen toe',
        });
      }
      const caregiver = await caregiverByZrn(ctx, changes.directory, p.string('zrn'), '$assign-casemanager');
      refuseSelf(ctx, actor, caregiver.id);
      const membership = await changes.directory.membership(collectiveId, caregiver.id);
      if (!rolesIn(membership).has('casemanager')) {
        refuse(ctx.language, 409, 'business-rule', {
          en: 'That caregiver is not a casemanager of this collective; grant the role first ($set-role)',
          nl: 'Die zorgverlener is geen casemanager van dit zorgcollectief; ken eerst de rol toe ($set-role)',
        });
      }
      const member = `Practitioner/${caregiver.id}`;
      const now = new Date().toISOString();
      const ended = endParticipation(team, member, now);
      const participant = [
        ...((ended.participant ?? []) as unknown[]),
        { member: { reference: member }, role: [{ coding: [CASEMANAGER_IN_PLAN] }], period: { start: now } },
      ];
      return changes.update({ ...ended, participant });
    });
    return ok(team);
  };
}
