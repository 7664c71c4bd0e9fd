import { FhirError } from '../../fhir/errors.ts';
import type { Condition } from '../../fhir/search/types.ts';
import type { AccessPolicy, Resource } from '../policy.ts';
import { CUSTODIAN_SYSTEM } from './treatment-relationship.ts';

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
 * A row held by another organisation and shared with one of ours: the receiver reads it, but it
 * stays the referrer's record. Changing it (a Task's status) goes through
 * `Task/[id]/$referral-status`, which checks the transition and writes on the caller's behalf.
 */
export function sharedOnly(resource: Resource | undefined, organizations: readonly string[]): boolean {
  const tags = ((resource?.meta as Meta | undefined)?.tag ?? []) as Tag[];
  const held = tags.find((t) => t.system === CUSTODIAN_SYSTEM)?.code;
  if (held === undefined || organizations.includes(held)) return false;
  return tags.some((t) => t.system === SHARED_WITH_SYSTEM && organizations.includes(t.code ?? ''));
}

/** Refuses (403) a write to a row the caller holds only as a share, saying whose it is and what to use. */
export function assertNotSharedOnly(
  organizations: readonly string[] | undefined,
  resourceType: string,
  id: string,
  ...versions: (Resource | undefined)[]
): void {
  if (!organizations?.length) return;
  const shared = versions.find((v) => sharedOnly(v, organizations));
  if (!shared) return;
  const held = ((shared.meta as Meta).tag ?? []).find((t) => t.system === CUSTODIAN_SYSTEM)?.code;
  throw new FhirError(
    403,
    `${resourceType}/${id} is the referrer's (Organization/${held}), shared with you by a referral: you may ` +
      `read it, not change or delete it; change a referral's Task status with POST Task/[id]/$referral-status / ` +
      `${resourceType}/${id} is van de verwijzer (Organization/${held}) en met u gedeeld door een verwijzing: u ` +
      `mag het lezen, niet wijzigen of verwijderen; de status van de Task van een verwijzing wijzigt u met ` +
      `POST Task/[id]/$referral-status`,
    { code: 'forbidden' },
  );
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
