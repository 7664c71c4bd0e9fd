import type { Condition } from '../../fhir/search/types.ts';
import type { AccessPolicy, Resource } from '../policy.ts';

/**
 * The tag on a row a referral shares with its receiving organisation (code `<organisation id>`,
 * the same URL as `SHARED_WITH_SYSTEM` in server/domain/referral/vocabulary.ts): set by the
 * server only (`HealthcareService/$refer`), counted by the gate as the patient's permit for
 * that organisation, for that row alone.
 */
export const SHARED_WITH_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/shared-with';

type Tag = { system?: string; code?: string };
type Meta = { tag?: Tag[] };

/** A row shared with one of these organisations: one probe of the row's own tags. */
export function sharedWithAny(organizations: readonly string[]): Condition {
  if (!organizations.length) return { kind: 'false' } as Condition;
  return {
    kind: 'index',
    table: 'token',
    params: ['Resource._tag'],
    where: [
      { op: 'eq', column: 'system', value: SHARED_WITH_SYSTEM },
      { op: 'in', column: 'code', values: [...organizations] },
    ],
  };
}

/**
 * A write keeps the shares the stored version has and no others: a caller's own `shared-with`
 * tag would open its rows to any organisation it names (the custodian tag is kept the same
 * way). The server's own writes for `$refer` do not pass through a caller's policy.
 */
export function keepServerShares(resource: Resource, current: Resource | undefined): Resource {
  const given = ((resource.meta as Meta | undefined)?.tag ?? []) as Tag[];
  const kept = ((current?.meta as Meta | undefined)?.tag ?? []).filter(
    (t) => t.system === SHARED_WITH_SYSTEM,
  );
  if (!kept.length && !given.some((t) => t.system === SHARED_WITH_SYSTEM)) return resource;
  const meta = { ...(resource.meta as Meta) };
  const tag = [...given.filter((t) => t.system !== SHARED_WITH_SYSTEM), ...kept];
  if (tag.length) meta.tag = tag;
  else delete meta.tag;
  const { meta: _, ...rest } = resource;
  return Object.keys(meta).length ? { ...rest, meta, resourceType: resource.resourceType } : rest;
}

/** The policy with the share rule over its writes: every caller, trusted ones too. */
export function withSharedWithRule(policy: AccessPolicy): AccessPolicy {
  const base = policy.stamp;
  return {
    ...policy,
    stamp: (resource, current) => keepServerShares(base ? base(resource, current) : resource, current),
  };
}
