import { randomUUID } from 'node:crypto';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { FunctionInvitation, InvitedFunction } from '../../fhir/storage/function-invitations.ts';
import { parameters } from '../collective/changes.ts';
import { refuse } from '../language.ts';
import { INVITATION_MS, invitationLink, newToken, type AccountDeps } from './account-deps.ts';
import {
  clustersOf,
  current,
  idOf,
  isAdminFunction,
  isCareFunction,
  managesFunction,
  nameOf,
  requireResponsible,
  type Json,
} from './function-roles.ts';
import { invitationMail } from './invitation-mail.ts';
import { FUNCTION_SYSTEM } from './vocabulary.ts';

const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;
export const isEmail = (s: string) => s.length <= 254 && EMAIL.test(s);
export const AGB = /^[0-9]{8}$/;

type Parameter = Json & { name?: string; part?: Parameter[] };

const text = (p: Parameter | undefined): string | undefined => {
  const v = p?.valueCode ?? p?.valueString;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
};

/** The invitation asked for: e-mail, functions (each a code, a care function with its AGB), clusters. */
function readInvitation(ctx: RestContext, body: unknown) {
  const b = body as { resourceType?: string; parameter?: Parameter[] } | undefined;
  if (b?.resourceType !== 'Parameters' || !Array.isArray(b.parameter ?? [])) {
    refuse(ctx.language, 400, 'invalid', {
      en: '$invite-colleague takes a Parameters resource',
      nl: '$invite-colleague verwacht een Parameters-resource',
    });
  }
  const list = (b.parameter ?? []) as Parameter[];
  const email = text(list.find((p) => p.name === 'email'))?.toLowerCase();
  if (!email || !isEmail(email)) {
    refuse(ctx.language, 400, 'required', {
      en: "Give the colleague's e-mail address (parameter email), e.g. name@example.org",
      nl: 'Geef het e-mailadres van de collega (parameter email), bijvoorbeeld naam@voorbeeld.nl',
    });
  }
  const functions: InvitedFunction[] = [];
  for (const p of list.filter((x) => x.name === 'function')) {
    const code = text(p) ?? text(p.part?.find((x) => x.name === 'code'));
    const agb = text(p.part?.find((x) => x.name === 'agb'));
    if (!code || (!isCareFunction(code) && !isAdminFunction(code))) {
      refuse(ctx.language, 400, 'code-invalid', {
        en: `'${code ?? ''}' is no function of ${FUNCTION_SYSTEM}: choose a care function (gp, midwife, specialist) or an admin function (admin-…)`,
        nl: `'${code ?? ''}' is geen functie van ${FUNCTION_SYSTEM}: kies een zorgverlenersfunctie (gp, midwife, specialist) of een beheerfunctie (admin-…)`,
      });
    }
    if (code === 'admin-responsible') {
      refuse(ctx.language, 403, 'forbidden', {
        en: 'The responsible admin function is granted by the platform, not by invitation',
        nl: 'De functie verantwoordelijk beheerder wordt door het platform toegekend, niet via een uitnodiging',
      });
    }
    if (agb !== undefined && (!isCareFunction(code) || !AGB.test(agb))) {
      refuse(ctx.language, 400, 'invalid', {
        en: `An AGB code (8 digits) belongs to a care function only; '${agb}' for '${code}' is not one`,
        nl: `Een AGB-code (8 cijfers) hoort alleen bij een zorgverlenersfunctie; '${agb}' bij '${code}' is dat niet`,
      });
    }
    if (functions.some((f) => f.code === code)) {
      refuse(ctx.language, 400, 'invalid', {
        en: `The function '${code}' is given twice`,
        nl: `De functie '${code}' is twee keer opgegeven`,
      });
    }
    functions.push({ code, ...(agb ? { agb } : {}) });
  }
  if (!functions.length) {
    refuse(ctx.language, 400, 'required', {
      en: 'Choose at least one care function or admin function (parameter function)',
      nl: 'Kies minimaal één zorgverlenersfunctie of beheerfunctie (parameter function)',
    });
  }
  const clusters = [
    ...new Set(
      list
        .filter((p) => p.name === 'cluster')
        .map((p) => idOf(p.valueReference, 'Organization') ?? text(p) ?? ''),
    ),
  ];
  if (clusters.length && !functions.some((f) => isAdminFunction(f.code))) {
    refuse(ctx.language, 400, 'invalid', {
      en: 'Clusters bind admin functions; this invitation has none',
      nl: 'Clusters horen bij beheerfuncties; deze uitnodiging heeft er geen',
    });
  }
  return { email, functions, clusters };
}

/** Refuses functions the caller may not hand out there (an admin of cluster A inviting into B). */
function requireManages(
  ctx: RestContext,
  scope: Awaited<ReturnType<typeof requireResponsible>>,
  organizationId: string,
  functions: InvitedFunction[],
  clusters: string[],
) {
  for (const f of functions) {
    if (!managesFunction(scope, organizationId, f.code, isAdminFunction(f.code) ? clusters : [])) {
      refuse(ctx.language, 403, 'forbidden', {
        en: clusters.length
          ? `Your responsible admin function does not cover every cluster named (${clusters.join(', ')}) for '${f.code}'`
          : `'${f.code}' for the whole organisation needs a responsible admin of the whole organisation; name the clusters you manage`,
        nl: clusters.length
          ? `Uw functie verantwoordelijk beheerder dekt niet alle genoemde clusters (${clusters.join(', ')}) voor '${f.code}'`
          : `'${f.code}' voor de hele organisatie vraagt een verantwoordelijk beheerder van de hele organisatie; noem de clusters die u beheert`,
      });
    }
  }
}

const invitationOut = (i: Pick<FunctionInvitation, 'id' | 'expiresAt'>, status = 201): FhirResult => ({
  status,
  headers: {},
  resource: parameters(
    { name: 'invitation', valueString: i.id },
    { name: 'expires', valueInstant: i.expiresAt.toISOString() },
    { name: 'status', valueCode: 'open' },
  ) as FhirResult['resource'],
});

async function mailContext(deps: AccountDeps, ctx: RestContext, organizationId: string) {
  const organization = await current(deps.store, 'Organization', organizationId);
  const inviter =
    ctx.principal.kind === 'practitioner'
      ? await current(deps.store, 'Practitioner', ctx.principal.practitionerId)
      : undefined;
  return {
    organization: String(organization?.name ?? `Organization/${organizationId}`),
    inviter: nameOf(inviter) || 'De verantwoordelijk beheerder',
  };
}

/**
 * `POST Organization/[id]/$invite-colleague` (seed "Ik wil collega's uitnodigen"): a responsible
 * admin of the organisation invites by e-mail to at least one function, admin functions bound to
 * clusters of the organisation they manage. The link (a 256-bit token; only its hash is kept)
 * works for 7 days on the server's clock; the mail leaves through the outbox with the record.
 */
export function inviteColleague(deps: AccountDeps) {
  return async (ctx: RestContext, organizationId: string, body: unknown): Promise<FhirResult> => {
    const scope = await requireResponsible(ctx, organizationId);
    const { email, functions, clusters } = readInvitation(ctx, body);
    const known = await clustersOf(deps, organizationId);
    const foreign = clusters.filter((c) => !known.has(c));
    if (foreign.length) {
      refuse(ctx.language, 422, 'invalid', {
        en: `Not a cluster of Organization/${organizationId}: ${foreign.join(', ')}`,
        nl: `Geen cluster van Organization/${organizationId}: ${foreign.join(', ')}`,
      });
    }
    requireManages(ctx, scope, organizationId, functions, clusters);
    const now = deps.clock();
    const { token, hash } = newToken();
    const invitation = {
      id: randomUUID(),
      organizationId,
      email,
      functions,
      clusters,
      invitedBy: `Practitioner/${ctx.principal.kind === 'practitioner' ? ctx.principal.practitionerId : ''}`,
      createdAt: now,
      sentAt: now,
      expiresAt: new Date(now.getTime() + INVITATION_MS),
    };
    const names = await mailContext(deps, ctx, organizationId);
    await deps.store.transaction(async (tx) => {
      await tx.functionInvitations.create(invitation, hash);
      await deps.mailer.send(
        tx.jobs,
        invitationMail({
          ...names,
          email,
          functions,
          clusters: clusters.map((c) => known.get(c) ?? c),
          link: invitationLink(deps, token),
          expiresAt: invitation.expiresAt,
        }),
      );
    });
    return invitationOut(invitation);
  };
}

/**
 * `POST Organization/[id]/$resend-invitation` (seed "Ik wil een uitnodiging opnieuw versturen"):
 * an open or expired invitation goes out again with a new link valid 7 days from now; the old
 * link stops working. Only by a responsible admin who could have made it.
 */
export function resendInvitation(deps: AccountDeps) {
  return async (ctx: RestContext, organizationId: string, body: unknown): Promise<FhirResult> => {
    const scope = await requireResponsible(ctx, organizationId);
    const list = ((body as { parameter?: Parameter[] } | undefined)?.parameter ?? []) as Parameter[];
    const id = text(list.find((p) => p.name === 'invitation'));
    if (!id) {
      refuse(ctx.language, 400, 'required', {
        en: 'Name the invitation to send again (parameter invitation, its id from $invitations)',
        nl: 'Noem de uitnodiging die opnieuw moet (parameter invitation, het id uit $invitations)',
      });
    }
    const names = await mailContext(deps, ctx, organizationId);
    const known = await clustersOf(deps, organizationId);
    const now = deps.clock();
    const expiresAt = new Date(now.getTime() + INVITATION_MS);
    await deps.store.transaction(async (tx) => {
      const found = await tx.functionInvitations.byId(id);
      // Another organisation's invitation is answered as a missing one.
      if (!found || found.organizationId !== organizationId) {
        refuse(ctx.language, 404, 'not-found', {
          en: `Organization/${organizationId} has no invitation '${id}'`,
          nl: `Organization/${organizationId} heeft geen uitnodiging '${id}'`,
        });
      }
      requireManages(ctx, scope, organizationId, found.functions, found.clusters);
      if (found.acceptedAt) {
        refuse(ctx.language, 409, 'business-rule', {
          en: 'This invitation has been accepted already; invite again for a new function',
          nl: 'Deze uitnodiging is al aangenomen; nodig opnieuw uit voor een nieuwe functie',
        });
      }
      const { token, hash } = newToken();
      const by = ctx.principal.kind === 'practitioner' ? `Practitioner/${ctx.principal.practitionerId}` : '';
      await tx.functionInvitations.reissue(id, hash, now, expiresAt, by);
      await deps.mailer.send(
        tx.jobs,
        invitationMail({
          ...names,
          email: found.email,
          functions: found.functions,
          clusters: found.clusters.map((c) => known.get(c) ?? c),
          link: invitationLink(deps, token),
          expiresAt,
        }),
      );
    });
    return invitationOut({ id, expiresAt }, 200);
  };
}
