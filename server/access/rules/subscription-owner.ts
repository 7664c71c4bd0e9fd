import { personReference, type Principal } from '../../auth/principal.ts';
import { and, not, or, typeIn } from '../../fhir/search/conditions.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { Condition } from '../../fhir/search/types.ts';
import type { AccessPolicy, Resource } from '../policy.ts';

/** On a Subscription: who made it (`Practitioner/1`, `client/<client id>`, `Patient/2`, …). Server-set. */
export const SUBSCRIPTION_OWNER_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/subscription-owner';
/** On a Subscription: the organisation its maker acted for (`Organization/<id>`), if any. Server-set. */
export const SUBSCRIPTION_ORGANIZATION_SYSTEM =
  'https://zorgpoort.nl/fhir/CodeSystem/subscription-organization';
/** On a Subscription: the SMART scopes its maker's token had, which narrow every notification. Server-set. */
export const SUBSCRIPTION_SCOPE_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/subscription-scope';

const SERVER_SET = new Set([
  SUBSCRIPTION_OWNER_SYSTEM,
  SUBSCRIPTION_ORGANIZATION_SYSTEM,
  SUBSCRIPTION_SCOPE_SYSTEM,
]);

/** The owner's criteria per search engine (one per server), compiled once per owner. */
const conditions = new WeakMap<SearchEngine, Map<string, Condition>>();

type Tag = { system?: string; code?: string };
type Meta = { tag?: Tag[] };

/** Who a Subscription belongs to, as its server-set tags say. */
export interface SubscriptionOwner {
  owner: string;
  organizationId?: string;
  scope?: string;
}

export function subscriptionOwner(resource: Resource | undefined): SubscriptionOwner | undefined {
  const tags = (resource?.meta as Meta | undefined)?.tag ?? [];
  const code = (system: string) => tags.find((t) => t.system === system)?.code;
  const owner = code(SUBSCRIPTION_OWNER_SYSTEM);
  if (!owner) return undefined;
  const organization = code(SUBSCRIPTION_ORGANIZATION_SYSTEM)?.replace(/^Organization\//, '');
  const scope = code(SUBSCRIPTION_SCOPE_SYSTEM);
  return { owner, ...(organization ? { organizationId: organization } : {}), ...(scope ? { scope } : {}) };
}

/** The principal as a Subscription's owner: the label, the organisation it acts for, its token's scopes. */
export function ownerOf(principal: Principal): SubscriptionOwner | undefined {
  const scope = principal.kind !== 'anonymous' ? principal.smart?.scope : undefined;
  const extra = scope ? { scope } : {};
  switch (principal.kind) {
    case 'anonymous':
      return undefined;
    case 'system':
      return {
        owner: `client/${principal.clientId}`,
        ...(principal.organizationId ? { organizationId: principal.organizationId } : {}),
        ...extra,
      };
    case 'practitioner': {
      const orgs = new Set(principal.roles.flatMap((r) => (r.organizationId ? [r.organizationId] : [])));
      const organizationId = principal.organizationId ?? (orgs.size === 1 ? [...orgs][0] : undefined);
      return {
        owner: `Practitioner/${principal.practitionerId}`,
        ...(organizationId ? { organizationId } : {}),
        ...extra,
      };
    }
    case 'patient':
    case 'account':
      // A portal account's login is its Person's (its notifications are judged as its sessions are).
      return { owner: personReference(principal), ...extra };
    case 'related-person':
      return { owner: `RelatedPerson/${principal.relatedPersonId}`, ...extra };
  }
}

/**
 * A Subscription (server/fhir/subscriptions) is its maker's: only they — or a system client of
 * the organisation they made it for — see, change or delete it; notifications are judged as the
 * maker, so nobody else's subscription, endpoint or criteria are anyone else's business. The
 * owner tags are the server's: set from the caller on create, kept from the current version on
 * every change, whatever the client sends. Trusted callers (unrestricted) see every one.
 */
export function withSubscriptionRule(
  policy: AccessPolicy,
  principal: Principal,
  search: SearchEngine,
): AccessPolicy {
  const me = ownerOf(principal);
  if (!me) return policy;
  const systemOrg = principal.kind === 'system' ? principal.organizationId : undefined;
  const mine = (r: Resource) => {
    const o = subscriptionOwner(r);
    return Boolean(
      o && (o.owner === me.owner || (systemOrg !== undefined && o.organizationId === systemOrg)),
    );
  };
  const key = `${me.owner} ${systemOrg ?? ''}`;
  const cache = conditions.get(search) ?? new Map<string, Condition>();
  conditions.set(search, cache);
  if (cache.size > 10_000) cache.clear();
  const tagged = (system: string, code: string) =>
    search.criteria('Subscription', `_tag=${encodeURIComponent(`${system}|${code}`)}`, '').condition;
  const subscriptions = () => {
    let c = cache.get(key);
    if (!c) {
      c = or([
        tagged(SUBSCRIPTION_OWNER_SYSTEM, me.owner),
        ...(systemOrg ? [tagged(SUBSCRIPTION_ORGANIZATION_SYSTEM, `Organization/${systemOrg}`)] : []),
      ]);
      cache.set(key, c);
    }
    return c;
  };
  const isSub = (r: Resource) => r.resourceType === 'Subscription';
  return {
    ...policy,
    searchCondition: (type) => (type === 'Subscription' ? subscriptions() : policy.searchCondition(type)),
    anyTypeCondition: policy.restricted
      ? or([
          and([not(typeIn(['Subscription'])), policy.anyTypeCondition]),
          and([typeIn(['Subscription']), subscriptions()]),
        ])
      : policy.anyTypeCondition,
    canSee: (r) => (isSub(r) ? !policy.restricted || mine(r) : policy.canSee(r)),
    canWrite: (r, letter) => (isSub(r) ? !policy.restricted || mine(r) : policy.canWrite(r, letter)),
    stamp: (r, current) => {
      const base = policy.stamp ? policy.stamp(r, current) : r;
      if (!isSub(base)) return base;
      const owner = (current && subscriptionOwner(current)) ?? me;
      const meta = (base.meta ?? {}) as Meta & Record<string, unknown>;
      const kept = (meta.tag ?? []).filter((t) => !SERVER_SET.has(t.system ?? ''));
      const tags: Tag[] = [
        { system: SUBSCRIPTION_OWNER_SYSTEM, code: owner.owner },
        ...(owner.organizationId
          ? [{ system: SUBSCRIPTION_ORGANIZATION_SYSTEM, code: `Organization/${owner.organizationId}` }]
          : []),
        ...(owner.scope ? [{ system: SUBSCRIPTION_SCOPE_SYSTEM, code: owner.scope }] : []),
      ];
      return { ...base, meta: { ...meta, tag: [...kept, ...tags] } };
    },
  };
}
