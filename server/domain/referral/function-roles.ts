import { findResources } from '../../auth/find-by-identifier.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import { refuse } from '../language.ts';
import { covers, requireFunction, type FunctionScope } from './functions.ts';
import {
  ADMIN_FUNCTIONS,
  CARE_FUNCTIONS,
  CLUSTER_EXTENSION,
  CLUSTER_KIND,
  FUNCTION_SYSTEM,
  ORGANIZATION_KIND_SYSTEM,
  VERIFIED_EXTENSION,
  type ReferralFunction,
} from './vocabulary.ts';

/** Stored FHIR JSON of the directory, each field read defensively. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;
type Directory = { store: ResourceStore; search: SearchEngine };

/** The most functions one organisation's directory reads hold (persons overview, a person's roles). */
export const MAX_ROLES = 2_000;

export const idOf = (ref: unknown, type: string): string | undefined => {
  const [t, id, rest] = String((ref as { reference?: unknown } | undefined)?.reference ?? '').split('/');
  return t === type && id && rest === undefined ? id : undefined;
};

export const isCareFunction = (code: string) => (CARE_FUNCTIONS as readonly string[]).includes(code);
export const isAdminFunction = (code: string) => (ADMIN_FUNCTIONS as readonly string[]).includes(code);
export const isReferralFunction = (code: string): code is ReferralFunction =>
  isCareFunction(code) || isAdminFunction(code);

/** The current version of a resource, parsed; undefined when missing or deleted. */
export async function current(store: ResourceStore, type: string, id: string): Promise<Json | undefined> {
  const v = await store.read(type, id);
  return v?.content ? (JSON.parse(v.content) as Json) : undefined;
}

/** The `referral-function` code of a PractitionerRole (undefined: not one of the platform's functions). */
export function functionOf(role: Json): string | undefined {
  for (const c of (role.code ?? []) as Json[]) {
    for (const k of (c.coding ?? []) as Json[]) {
      if (k.system === FUNCTION_SYSTEM && typeof k.code === 'string') return k.code;
    }
  }
  return undefined;
}

export const clustersOfRole = (role: Json): string[] =>
  ((role.extension ?? []) as Json[])
    .filter((e) => e.url === CLUSTER_EXTENSION)
    .flatMap((e) => idOf(e.valueReference, 'Organization') ?? []);

/** When and by whom the function was verified, if it was. */
export function verifiedOf(role: Json): { at?: string; by?: string } | undefined {
  const ext = ((role.extension ?? []) as Json[]).find((e) => e.url === VERIFIED_EXTENSION);
  if (!ext) return undefined;
  const part = (url: string) => ((ext.extension ?? []) as Json[]).find((e) => e.url === url);
  return { at: part('at')?.valueDateTime, by: part('by')?.valueReference?.reference };
}

/** The clusters of an organisation (Organizations of type cluster, partOf it): id → name. */
export async function clustersOf(deps: Directory, organizationId: string): Promise<Map<string, string>> {
  const found = await findResources(
    deps.store,
    deps.search,
    'Organization',
    `partof=Organization/${encodeURIComponent(organizationId)}&type=${encodeURIComponent(
      `${ORGANIZATION_KIND_SYSTEM}|${CLUSTER_KIND}`,
    )}`,
    MAX_ROLES,
  );
  return new Map(found.map((o) => [o.id!, String((o as Json).name ?? o.id)]));
}

/** The platform functions (PractitionerRoles with a `referral-function` code) at an organisation. */
export async function functionsAt(deps: Directory, organizationId: string): Promise<Json[]> {
  const found = await findResources(
    deps.store,
    deps.search,
    'PractitionerRole',
    `organization=Organization/${encodeURIComponent(organizationId)}`,
    MAX_ROLES,
  );
  return (found as Json[]).filter((r) => functionOf(r) !== undefined);
}

/** Every PractitionerRole of a person, platform function or not, at any organisation. */
export async function rolesOf(deps: Directory, practitionerId: string): Promise<Json[]> {
  return (await findResources(
    deps.store,
    deps.search,
    'PractitionerRole',
    `practitioner=Practitioner/${encodeURIComponent(practitionerId)}`,
    MAX_ROLES,
  )) as Json[];
}

/** A person's platform functions, at any organisation. */
export async function functionsOf(deps: Directory, practitionerId: string): Promise<Json[]> {
  return (await rolesOf(deps, practitionerId)).filter((r) => functionOf(r) !== undefined);
}

/**
 * Whether a responsible admin's scope lets them manage a function at an organisation: an admin
 * function bound to clusters needs every one of them covered, one for the whole organisation
 * the organisation at large; a care function (never bound to clusters) any responsible admin
 * there.
 */
export function managesFunction(
  scope: FunctionScope,
  organizationId: string,
  code: string,
  clusters: string[],
): boolean {
  if (!scope.has(organizationId)) return false;
  if (!isAdminFunction(code)) return true;
  return clusters.length === 0
    ? covers(scope, organizationId)
    : clusters.every((c) => covers(scope, organizationId, c));
}

/** The caller's `admin-responsible` scope, refused unless it reaches `organizationId` at all. */
export async function requireResponsible(ctx: RestContext, organizationId: string): Promise<FunctionScope> {
  const scope = await requireFunction(ctx, 'admin-responsible');
  if (!scope.has(organizationId)) {
    refuse(ctx.language, 403, 'forbidden', {
      en: `You are not a responsible admin (admin-responsible) of Organization/${organizationId}`,
      nl: `U bent geen verantwoordelijk beheerder (admin-responsible) van Organization/${organizationId}`,
    });
  }
  return scope;
}

/** A person's display name from a Practitioner. */
export function nameOf(p: Json | undefined): string {
  const n = ((p?.name ?? []) as Json[])[0];
  if (!n) return '';
  return [...((n.given ?? []) as string[]), n.family].filter(Boolean).join(' ') || String(n.text ?? '');
}

export const functionCoding = (code: string) => ({ coding: [{ system: FUNCTION_SYSTEM, code }] });
