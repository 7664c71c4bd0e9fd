import type { SubscriptionOwner } from '../../access/rules/subscription-owner.ts';
import type { PersonPrincipal, Principal, Via } from '../../auth/principal.ts';

export interface OwnerLookups {
  /** An active registered client by id (its organisation, trust and scopes as registered now). */
  client(
    clientId: string,
  ): Promise<
    { clientId: string; kind: string; organizationId?: string; trusted?: boolean; scope: string } | undefined
  >;
  /** A person by reference, with their roles as they are now. */
  person(reference: string, via: Via, organizationId?: string): Promise<PersonPrincipal>;
}

/**
 * A subscription's maker as a principal at delivery time: a person with their roles of today
 * (a role ended, an account gone: less or nothing is delivered), a client only while it is
 * registered and active; the scopes of the token it was made with narrow every notification.
 */
export async function ownerPrincipal(
  owner: SubscriptionOwner,
  lookups: OwnerLookups,
): Promise<Principal | undefined> {
  if (owner.owner.startsWith('client/')) {
    const client = await lookups.client(owner.owner.slice('client/'.length));
    if (!client) return undefined;
    return {
      kind: 'system',
      via: 'smart-backend',
      clientId: client.clientId,
      ...(client.organizationId ? { organizationId: client.organizationId } : {}),
      ...(client.trusted ? { trusted: true } : {}),
      smart: { clientId: client.clientId, scope: owner.scope ?? client.scope },
    };
  }
  try {
    const person = await lookups.person(
      owner.owner,
      'smart',
      owner.owner.startsWith('Practitioner/') ? owner.organizationId : undefined,
    );
    return owner.scope ? { ...person, smart: { clientId: 'subscription', scope: owner.scope } } : person;
  } catch {
    return undefined;
  }
}
