import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { readParameters } from '../parameters.ts';
import { refuseSelf, requireRole } from './authority.ts';
import { caregiverByZrn } from './caregiver-by-zrn.ts';
import { changeCollective, managedBy, ok, type CollectiveDeps } from './changes.ts';
import { rolesIn } from './directory.ts';
import { COLLECTIVE_ROLE_SYSTEM, type CollectiveRole } from './vocabulary.ts';

export const roleCodes = (roles: Iterable<CollectiveRole>) =>
  [...roles].sort().map((code) => ({ coding: [{ system: COLLECTIVE_ROLE_SYSTEM, code }] }));

/**
 * `POST Organization/[id]/$add-caregiver` (zrn, casemanager?): a beheerder adds a caregiver to
 * the collective, as a casemanager at once if asked. Their membership is a PractitionerRole at
 * the collective; adding someone already in it only adds what was asked.
 */
export function addCaregiver(deps: CollectiveDeps) {
  return async (ctx: RestContext, collectiveId: string, body: unknown): Promise<FhirResult> => {
    const p = readParameters(body, ctx.language, '$add-caregiver');
    const membership = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const actor = await requireRole(ctx, changes.directory, collectiveId, ['beheerder'], {
        en: 'add caregivers to it',
        nl: 'er zorgverleners aan toevoegen',
      });
      const caregiver = await caregiverByZrn(ctx, changes.directory, p.string('zrn'), '$add-caregiver');
      const found = await changes.directory.membership(collectiveId, caregiver.id);
      const current = found && (await changes.current('PractitionerRole', found.id as string));
      const roles = current && current.active !== false ? rolesIn(current) : new Set<CollectiveRole>();
      const before = new Set(roles);
      roles.add('caregiver');
      if (p.boolean('casemanager')) roles.add('casemanager');
      // As in $set-role: a beheerder who made themself casemanager could open any record by
      // starting a plan for a BSN.
      if ([...roles].some((r) => !before.has(r))) refuseSelf(ctx, actor, caregiver.id);
      const role = {
        resourceType: 'PractitionerRole',
        ...(current ? { id: current.id } : {}),
        ...managedBy(collectiveId),
        active: true,
        period: {
          start:
            current?.active !== false && current?.period?.start
              ? current.period.start
              : new Date().toISOString(),
        },
        practitioner: { reference: `Practitioner/${caregiver.id}` },
        organization: { reference: `Organization/${collectiveId}` },
        code: roleCodes(roles),
      };
      return current ? changes.update(role) : changes.create(role);
    });
    return ok(membership);
  };
}
