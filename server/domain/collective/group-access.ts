import { collectiveOf } from '../../access/rules/collective-managed.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { requireRole } from './authority.ts';
import type { Changes, CollectiveDeps } from './changes.ts';
import { identifierValue, type Json } from './directory.ts';
import { GRN_SYSTEM } from './vocabulary.ts';

/**
 * The collective of a caregiver group (a CareTeam with a GRN that a collective manages), read
 * before the collective's transaction so it can be serialised on; 404 for anything else.
 */
export async function groupCollective(
  ctx: RestContext,
  deps: CollectiveDeps,
  groupId: string,
): Promise<string> {
  const stored = await deps.directory.read('CareTeam', groupId);
  const collectiveId = collectiveOf(stored);
  if (!stored || !collectiveId || !identifierValue(stored, GRN_SYSTEM)) {
    refuse(ctx.language, 404, 'not-found', {
      en: `CareTeam/${groupId} is not a caregiver group of a care collective`,
      nl: `CareTeam/${groupId} is geen zorgverlenergroep van een zorgcollectief`,
    });
  }
  return collectiveId;
}

/** The group as it is now, inside the collective's transaction, for a beheerder of it. */
export async function groupForBeheerder(
  ctx: RestContext,
  changes: Changes,
  collectiveId: string,
  groupId: string,
): Promise<{ group: Json; actor: Awaited<ReturnType<typeof requireRole>> }> {
  const actor = await requireRole(ctx, changes.directory, collectiveId, ['beheerder'], {
    en: 'change its caregiver groups',
    nl: 'de zorgverlenergroepen wijzigen',
  });
  const group = await changes.current('CareTeam', groupId);
  if (!group) {
    refuse(ctx.language, 404, 'not-found', {
      en: `CareTeam/${groupId} is not known`,
      nl: `CareTeam/${groupId} is onbekend`,
    });
  }
  if (group.status === 'inactive') {
    refuse(ctx.language, 409, 'business-rule', {
      en: `The group ${String(group.name ?? '')} has been deleted`,
      nl: `De groep ${String(group.name ?? '')} is verwijderd`,
    });
  }
  return { group, actor };
}
