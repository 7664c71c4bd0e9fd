import { randomUUID } from 'node:crypto';
import { collectiveOf } from '../../access/rules/collective-managed.ts';
import { nameOf } from './directory.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { caregiverByZrn } from './caregiver-by-zrn.ts';
import { changeCollective, parameters, type CollectiveDeps } from './changes.ts';
import { isOpen, lockedPlan, planCollective, refuseClosed, requirePlanCasemanager } from './plan-access.ts';
import { addParticipation, hasMember } from './team-changes.ts';
import { emailOf, invitationMail } from './letters.ts';

/**
 * `POST CarePlan/[id]/$add-participant` (zrn or grn): a casemanager of the plan gives others
 * access. A group (GRN) joins the plan's team at once; a caregiver (ZRN, of this collective or
 * another: transmural care) is invited and joins when they accept ($accept-invitation).
 */
export function addParticipant(deps: CollectiveDeps) {
  return async (ctx: RestContext, planId: string, body: unknown): Promise<FhirResult> => {
    const p = readParameters(body, ctx.language, '$add-participant');
    const zrn = p.string('zrn');
    const grn = p.string('grn');
    if (!zrn === !grn) {
      refuse(ctx.language, 400, 'required', {
        en: "$add-participant needs either 'zrn' (a caregiver, who is invited) or 'grn' (a caregiver group)",
        nl: "$add-participant heeft 'zrn' (een zorgverlener, die wordt uitgenodigd) of 'grn' (een zorgverlenergroep) nodig",
      });
    }
    const collectiveId = await planCollective(ctx, deps, planId);
    const answer = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const { plan, team } = await lockedPlan(changes, planId);
      const actor = await requirePlanCasemanager(ctx, changes, collectiveId, team, {
        en: 'add caregivers to this plan',
        nl: 'zorgverleners aan dit behandelplan toevoegen',
      });
      if (!isOpen(plan)) refuseClosed(ctx, plan);
      if (grn) {
        const group = await changes.directory.groupByGrn(grn);
        if (!group || group.status === 'inactive') {
          refuse(ctx.language, 422, 'not-found', {
            en: `No caregiver group has GRN ${grn}; ask the beheerder for the group's GRN`,
            nl: `Geen zorgverlenergroep heeft GRN ${grn}; vraag de beheerder om het GRN van de groep`,
          });
        }
        // A group is its collective's: its beheerder decides who is in it. Another collective's
        // group in this plan would let that beheerder give anyone this patient; its caregivers
        // join one by one, by ZRN (transmural care), each accepting an invitation.
        if (collectiveOf(group) !== collectiveId) {
          refuse(ctx.language, 422, 'business-rule', {
            en: `The group with GRN ${grn} belongs to another care collective; add its caregivers by their ZRN instead`,
            nl: `De groep met GRN ${grn} hoort bij een ander zorgcollectief; voeg de zorgverleners toe met hun ZRN`,
          });
        }
        const member = `CareTeam/${group.id as string}`;
        if (!hasMember(team, member)) await changes.update(addParticipation(team, member));
        return parameters(
          { name: 'group', valueReference: { reference: member } },
          { name: 'status', valueCode: 'added' },
        );
      }
      const caregiver = await caregiverByZrn(ctx, changes.directory, zrn, '$add-participant');
      const member = `Practitioner/${caregiver.id}`;
      if (hasMember(team, member)) {
        return parameters(
          { name: 'practitioner', valueReference: { reference: member } },
          { name: 'status', valueCode: 'member' },
        );
      }
      const pending = (await changes.records.invitationsOf(planId, 'pending')).find(
        (i) => i.practitionerId === caregiver.id,
      );
      const id = pending?.id ?? randomUUID();
      const to = emailOf(caregiver);
      if (!pending) {
        await changes.records.invite({
          id,
          planId,
          practitionerId: caregiver.id,
          invitedBy: actor.reference,
        });
        const collective = await changes.directory.read('Organization', collectiveId);
        const inviter = actor.practitionerId
          ? await changes.directory.read('Practitioner', actor.practitionerId)
          : undefined;
        if (to) {
          const name = (collective?.name as string | undefined) ?? collectiveId;
          await changes.mail(invitationMail(to, name, nameOf(inviter) || 'Zorgpoort', planId, ctx.baseUrl));
        }
      }
      return parameters(
        { name: 'practitioner', valueReference: { reference: member } },
        { name: 'invitation', valueString: id },
        { name: 'status', valueCode: 'invited' },
        { name: 'mailed', valueBoolean: Boolean(to) && !pending },
      );
    });
    return { status: 200, headers: {}, resource: answer as FhirResult['resource'] };
  };
}
