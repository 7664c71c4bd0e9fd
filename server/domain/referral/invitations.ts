import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { FunctionInvitation } from '../../fhir/storage/function-invitations.ts';
import { parameters } from '../collective/changes.ts';
import type { AccountDeps } from './account-deps.ts';
import { current, isAdminFunction, managesFunction, nameOf, requireResponsible } from './function-roles.ts';
import { FUNCTION_SYSTEM } from './vocabulary.ts';

/** The newest invitations listed (older ones stay in the database, answered as before). */
const MAX_LISTED = 500;

export type InvitationStatus = 'open' | 'expired' | 'accepted';

export const statusOf = (i: FunctionInvitation, now: Date): InvitationStatus =>
  i.acceptedAt ? 'accepted' : i.expiresAt.getTime() <= now.getTime() ? 'expired' : 'open';

/**
 * `GET Organization/[id]/$invitations` (seed: "In het scherm uitnodigingen kun je alle
 * verstuurde uitnodigingen zien"): the organisation's invitations, newest first, each with its
 * state (open, expired, accepted), functions, clusters, who invited and who it made. A
 * responsible admin bound to clusters sees the invitations they could have made.
 */
export function listInvitations(deps: AccountDeps) {
  return async (ctx: RestContext, organizationId: string): Promise<FhirResult> => {
    const scope = await requireResponsible(ctx, organizationId);
    const now = deps.clock();
    const all = await deps.store.functionInvitations.of(organizationId, MAX_LISTED);
    const mine = all.filter((i) =>
      i.functions.every((f) =>
        managesFunction(scope, organizationId, f.code, isAdminFunction(f.code) ? i.clusters : []),
      ),
    );
    const names = new Map<string, string>();
    for (const ref of new Set(mine.flatMap((i) => [i.invitedBy, i.acceptedBy ?? []].flat()))) {
      const id = ref.split('/')[1];
      if (id) names.set(ref, nameOf(await current(deps.store, 'Practitioner', id)));
    }
    const reference = (ref: string) => ({
      reference: ref,
      ...(names.get(ref) ? { display: names.get(ref) } : {}),
    });
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store' },
      resource: parameters(
        ...mine.map((i) => ({
          name: 'invitation',
          part: [
            { name: 'id', valueString: i.id },
            { name: 'email', valueString: i.email },
            { name: 'status', valueCode: statusOf(i, now) },
            ...i.functions.map((f) => ({
              name: 'function',
              part: [
                { name: 'code', valueCoding: { system: FUNCTION_SYSTEM, code: f.code } },
                ...(f.agb ? [{ name: 'agb', valueString: f.agb }] : []),
              ],
            })),
            ...i.clusters.map((c) => ({
              name: 'cluster',
              valueReference: { reference: `Organization/${c}` },
            })),
            { name: 'invitedBy', valueReference: reference(i.invitedBy) },
            { name: 'invited', valueInstant: i.createdAt.toISOString() },
            { name: 'sent', valueInstant: i.sentAt.toISOString() },
            { name: 'expires', valueInstant: i.expiresAt.toISOString() },
            ...(i.acceptedAt ? [{ name: 'accepted', valueInstant: i.acceptedAt.toISOString() }] : []),
            ...(i.acceptedBy ? [{ name: 'person', valueReference: reference(i.acceptedBy) }] : []),
          ],
        })),
      ) as FhirResult['resource'],
    };
  };
}
