import { collectiveOf } from '../../access/rules/collective-managed.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { parameters, type CollectiveDeps } from './changes.ts';
import { nameOf } from './directory.ts';
import { isOpen } from './plan-access.ts';

/**
 * `GET CarePlan/$my-invitations`: the logged-in caregiver's pending invitations, to plans of any
 * collective, to accept or decline (`CarePlan/[id]/$accept-invitation`, `$decline-invitation`):
 * the way in when the mail did not arrive. Each names the collective and who invited, not the
 * plan's title or patient (seen once accepted), as the mail does.
 */
export function myInvitations(deps: CollectiveDeps) {
  return async (ctx: RestContext): Promise<FhirResult> => {
    const who = ctx.principal;
    if (who.kind !== 'practitioner') {
      refuse(ctx.language, 403, 'forbidden', {
        en: "Invitations are a caregiver's own: log in as the caregiver",
        nl: 'Uitnodigingen zijn van een zorgverlener zelf: log in als de zorgverlener',
      });
    }
    const pending = await deps.store.collective.invitationsFor(who.practitionerId, 'pending');
    const rows = [];
    for (const i of pending) {
      const plan = await deps.directory.read('CarePlan', i.planId);
      const collectiveId = collectiveOf(plan);
      // An invitation to a plan that has ended is void (answering it is refused too).
      if (!plan || !collectiveId || !isOpen(plan)) continue;
      const collective = await deps.directory.read('Organization', collectiveId);
      const inviter = i.invitedBy.startsWith('Practitioner/')
        ? await deps.directory.read('Practitioner', i.invitedBy.slice('Practitioner/'.length))
        : undefined;
      rows.push({
        name: 'invitation',
        part: [
          { name: 'carePlan', valueReference: { reference: `CarePlan/${i.planId}` } },
          {
            name: 'collective',
            valueReference: { reference: `Organization/${collectiveId}`, display: collective?.name },
          },
          {
            name: 'invitedBy',
            valueReference: { reference: i.invitedBy, ...(inviter ? { display: nameOf(inviter) } : {}) },
          },
          { name: 'invited', valueInstant: i.createdAt.toISOString() },
        ],
      });
    }
    return { status: 200, headers: {}, resource: parameters(...rows) as FhirResult['resource'] };
  };
}
