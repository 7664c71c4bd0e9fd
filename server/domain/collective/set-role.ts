import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { roleCodes } from './add-caregiver.ts';
import { refuseSelf, requireRole } from './authority.ts';
import { caregiverByZrn } from './caregiver-by-zrn.ts';
import { changeCollective, managedBy, ok, type CollectiveDeps } from './changes.ts';
import { rolesIn } from './directory.ts';
import { ROLE_NAMES, type CollectiveRole } from './vocabulary.ts';

/** Who grants and takes away each role (seed 000: only an administrator makes administrators and beheerders). */
const GRANTED_BY: Record<Exclude<CollectiveRole, 'caregiver'>, CollectiveRole> = {
  administrator: 'administrator',
  beheerder: 'administrator',
  casemanager: 'beheerder',
};

/**
 * `POST Organization/[id]/$set-role` (zrn, role, value): grants (`value` true) or takes away
 * (false) administrator, beheerder or casemanager. An administrator or beheerder need not be a
 * caregiver of the collective (an administrator sees its administration, not its patients); a
 * casemanager must be one. The collective always keeps an administrator.
 */
export function setRole(deps: CollectiveDeps) {
  return async (ctx: RestContext, collectiveId: string, body: unknown): Promise<FhirResult> => {
    const p = readParameters(body, ctx.language, '$set-role');
    const role = p.string('role') as keyof typeof GRANTED_BY | undefined;
    const value = p.boolean('value');
    if (!role || !(role in GRANTED_BY) || value === undefined) {
      refuse(ctx.language, 400, 'required', {
        en: "$set-role needs 'zrn', 'role' (administrator, beheerder or casemanager) and 'value' (true: grant, false: take away)",
        nl: "$set-role heeft 'zrn', 'role' (administrator, beheerder of casemanager) en 'value' (true: toekennen, false: afnemen) nodig",
      });
    }
    const membership = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const actor = await requireRole(ctx, changes.directory, collectiveId, [GRANTED_BY[role]], {
        en: `${value ? 'grant' : 'take away'} the role ${ROLE_NAMES[role].en}`,
        nl: `de rol ${ROLE_NAMES[role].nl} ${value ? 'toekennen' : 'afnemen'}`,
      });
      const caregiver = await caregiverByZrn(ctx, changes.directory, p.string('zrn'), '$set-role');
      // Granting oneself a role would let an administrator, who sees no patient, make themself
      // beheerder, then casemanager, and open any record by starting a plan.
      if (value) refuseSelf(ctx, actor, caregiver.id);
      const found = await changes.directory.membership(collectiveId, caregiver.id);
      const current = found && (await changes.current('PractitionerRole', found.id as string));
      const roles = rolesIn(current);
      if (!value && !roles.has(role)) return current ?? { resourceType: 'PractitionerRole' };
      if (value && role === 'casemanager' && !roles.has('caregiver')) {
        refuse(ctx.language, 409, 'business-rule', {
          en: 'Only a caregiver of the collective can be a casemanager; add them with $add-caregiver first',
          nl: 'Alleen een zorgverlener van het zorgcollectief kan casemanager zijn; voeg hem of haar eerst toe met $add-caregiver',
        });
      }
      if (!value && role === 'administrator' && roles.has('administrator')) {
        const others = (await changes.directory.members(collectiveId)).filter(
          (m) => m.id !== current?.id && rolesIn(m).has('administrator'),
        );
        if (!others.length) {
          refuse(ctx.language, 409, 'business-rule', {
            en: 'This is the collective’s last administrator; make someone else administrator first',
            nl: 'Dit is de laatste administrator van het zorgcollectief; maak eerst iemand anders administrator',
          });
        }
      }
      if (value) roles.add(role);
      else roles.delete(role);
      const next = {
        resourceType: 'PractitionerRole',
        ...(current ? { id: current.id } : {}),
        ...managedBy(collectiveId),
        active: roles.size > 0,
        period: { start: current?.period?.start ?? new Date().toISOString() },
        practitioner: { reference: `Practitioner/${caregiver.id}` },
        organization: { reference: `Organization/${collectiveId}` },
        code: roleCodes(roles),
      };
      return current ? changes.update(next) : changes.create(next);
    });
    return ok(membership);
  };
}
