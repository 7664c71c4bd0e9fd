import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { requireRole } from './authority.ts';
import { changeCollective, parameters, type CollectiveDeps } from './changes.ts';
import { nameOf } from './directory.ts';
import { planCasemanagers } from './plan-records.ts';
import { isOpen } from './plan-access.ts';

/**
 * `GET Organization/[id]/$waiting-for-activation`: a casemanager's list of their plans whose
 * patient has not entered the code yet ("Wacht op activatie"), each with its code, to give it
 * again or send a reminder.
 */
export function waitingForActivation(deps: CollectiveDeps) {
  return async (ctx: RestContext, collectiveId: string): Promise<FhirResult> => {
    const rows = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const actor = await requireRole(ctx, changes.directory, collectiveId, ['casemanager'], {
        en: 'see the plans waiting for activation',
        nl: 'de behandelplannen zien die op activatie wachten',
      });
      const plans = (await changes.directory.plans(collectiveId)).filter(isOpen);
      const codes = new Map(
        (await changes.records.activationsOf(plans.map((p) => p.id as string))).map((a) => [a.planId, a]),
      );
      const out = [];
      for (const plan of plans) {
        const activation = codes.get(plan.id as string);
        if (!activation || activation.activatedAt) continue;
        const teamId = ((plan.careTeam as { reference?: string }[])[0]?.reference ?? '').replace(
          /^CareTeam\//,
          '',
        );
        const team = await changes.directory.read('CareTeam', teamId);
        if (actor.practitionerId && !(team && planCasemanagers(team).includes(actor.practitionerId)))
          continue;
        const patientId = ((plan.subject as { reference?: string }).reference ?? '').replace(
          /^Patient\//,
          '',
        );
        const patient = await changes.directory.read('Patient', patientId);
        out.push({ plan, patient, activation });
      }
      return out;
    });
    return {
      status: 200,
      headers: {},
      resource: parameters(
        ...rows.map(({ plan, patient, activation }) => ({
          name: 'plan',
          part: [
            { name: 'carePlan', valueReference: { reference: `CarePlan/${plan.id as string}` } },
            { name: 'title', valueString: plan.title },
            { name: 'status', valueCode: plan.status },
            { name: 'patientName', valueString: nameOf(patient) },
            ...(patient?.birthDate ? [{ name: 'birthDate', valueDate: patient.birthDate }] : []),
            { name: 'activationCode', valueString: activation.code },
            { name: 'issued', valueInstant: activation.issuedAt.toISOString() },
          ],
        })),
      ) as FhirResult['resource'],
    };
  };
}
