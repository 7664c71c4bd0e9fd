import type { RestContext } from '../../fhir/rest/types.ts';
import { refuse, type Said } from '../language.ts';
import { rolesIn, type CollectiveDirectory, type Json } from './directory.ts';
import { ROLE_NAMES, type CollectiveRole } from './vocabulary.ts';

/** Who acts in a collective operation: a practitioner with their roles there, or a trusted caller. */
export interface Actor {
  /** Absent for a trusted caller (the operator, a trusted integration): it holds every role. */
  practitionerId?: string;
  roles: Set<CollectiveRole>;
  /** `Practitioner/…`, or the trusted client, for records such as an invitation's sender. */
  reference: string;
}

export async function collectiveOrRefuse(
  ctx: RestContext,
  directory: CollectiveDirectory,
  id: string,
): Promise<Json> {
  const org = await directory.collective(id);
  if (!org) {
    refuse(ctx.language, 404, 'not-found', {
      en: `Organization/${id} is not a care collective`,
      nl: `Organization/${id} is geen zorgcollectief`,
    });
  }
  return org;
}

/**
 * The caller as an actor in this collective. Roles are read fresh from the collective's
 * membership on every call, so a role taken away holds from the next request on. A login for
 * another organisation (a UZI-pas or SAML login's URA) acts in none of this collective's roles.
 */
export async function actorIn(
  ctx: RestContext,
  directory: CollectiveDirectory,
  collectiveId: string,
): Promise<Actor> {
  const p = ctx.principal;
  if (!ctx.store.access.restricted) {
    const reference = p.kind === 'system' ? `Device/${p.clientId}` : 'Device/zorgpoort';
    return { roles: new Set(['administrator', 'beheerder', 'casemanager', 'caregiver']), reference };
  }
  if (p.kind !== 'practitioner' || (p.organizationId && p.organizationId !== collectiveId)) {
    return { roles: new Set(), reference: '' };
  }
  const membership = await directory.membership(collectiveId, p.practitionerId);
  return {
    practitionerId: p.practitionerId,
    roles: rolesIn(membership),
    reference: `Practitioner/${p.practitionerId}`,
  };
}

/** The actor, if they hold one of `roles` in the collective; else a refusal saying who may. */
/** Four eyes: nobody gives themself a role, a plan or a group (and with it the group's plans). */
export function refuseSelf(ctx: RestContext, actor: { practitionerId?: string }, caregiverId: string): void {
  if (actor.practitionerId === caregiverId) {
    refuse(ctx.language, 403, 'forbidden', {
      en: 'Nobody gives themself a role, a plan or a group: another beheerder or administrator does (four eyes)',
      nl: 'Niemand geeft zichzelf een rol, een behandelplan of een groep: een andere beheerder of administrator doet dat (vier ogen)',
    });
  }
}

export async function requireRole(
  ctx: RestContext,
  directory: CollectiveDirectory,
  collectiveId: string,
  roles: CollectiveRole[],
  action: Said,
): Promise<Actor> {
  await collectiveOrRefuse(ctx, directory, collectiveId);
  const actor = await actorIn(ctx, directory, collectiveId);
  if (roles.some((r) => actor.roles.has(r))) return actor;
  const who = (lang: 'nl' | 'en') =>
    roles.map((r) => ROLE_NAMES[r][lang]).join(lang === 'nl' ? ' of ' : ' or ');
  const loggedInElsewhere =
    ctx.principal.kind === 'practitioner' &&
    ctx.principal.organizationId &&
    ctx.principal.organizationId !== collectiveId;
  return refuse(ctx.language, 403, 'forbidden', {
    en:
      `Only a ${who('en')} of care collective Organization/${collectiveId} may ${action.en}` +
      (loggedInElsewhere
        ? `; you are logged in for Organization/${ctx.principal.kind === 'practitioner' ? ctx.principal.organizationId : ''}: log in for the collective`
        : '; ask its beheerder (or, for a beheerder or administrator role, its administrator)'),
    nl:
      `Alleen een ${who('nl')} van zorgcollectief Organization/${collectiveId} mag ${action.nl}` +
      (loggedInElsewhere
        ? `; u bent ingelogd voor Organization/${ctx.principal.kind === 'practitioner' ? ctx.principal.organizationId : ''}: log in voor het zorgcollectief`
        : '; vraag het de beheerder (of, voor de rol beheerder of administrator, de administrator)'),
  });
}
