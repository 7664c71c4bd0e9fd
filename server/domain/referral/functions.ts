import type { Principal } from '../../auth/principal.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { CLUSTER_EXTENSION, FUNCTION_SYSTEM, type ReferralFunction } from './vocabulary.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: string };

/** Where the caller may act in one function: per organisation, its clusters (empty: all of it). */
export type FunctionScope = Map<string, { roleId: string; clusters: Set<string> }[]>;

const idOf = (ref: Ref | undefined, type: string): string | undefined => {
  const [t, id] = (ref?.reference ?? '').split('/');
  return t === type && id ? id : undefined;
};

/**
 * The caller's active PractitionerRoles holding `fn`, read fresh on every call (a function
 * deactivated holds from the next request on), with the clusters each is bound to. Only a
 * practitioner acts in a function; a login for one organisation (UZI-pas, SAML URA) only there.
 */
export async function functionScope(ctx: RestContext, fn: ReferralFunction): Promise<FunctionScope> {
  return scopeOf(ctx.principal, fn, async (type, id) => {
    const found = await ctx.store.lookup(type, id);
    return found.kind === 'live' && found.version.content
      ? (JSON.parse(found.version.content) as Json)
      : undefined;
  });
}

/** functionScope for a principal, reading a PractitionerRole with `read` (an access rule's store). */
export async function scopeOf(
  p: Principal,
  fn: ReferralFunction,
  read: (type: string, id: string) => Promise<Json | undefined>,
): Promise<FunctionScope> {
  const scope: FunctionScope = new Map();
  if (p.kind !== 'practitioner') return scope;
  for (const role of p.roles) {
    if (!role.codes.includes(`${FUNCTION_SYSTEM}|${fn}`)) continue;
    const r = await read('PractitionerRole', role.practitionerRoleId);
    if (!r) continue;
    const organization = idOf(r.organization as Ref, 'Organization');
    if (r.active === false || !organization) continue;
    if (p.organizationId && p.organizationId !== organization) continue;
    const clusters = new Set(
      ((r.extension ?? []) as { url?: string; valueReference?: Ref }[])
        .filter((e) => e.url === CLUSTER_EXTENSION)
        .map((e) => idOf(e.valueReference, 'Organization'))
        .filter((c): c is string => Boolean(c)),
    );
    scope.set(organization, [
      ...(scope.get(organization) ?? []),
      { roleId: role.practitionerRoleId, clusters },
    ]);
  }
  return scope;
}

/** Whether the scope covers something of `organization` in `cluster` (none: the organisation at large). */
export function covers(scope: FunctionScope, organization: string, cluster?: string): boolean {
  return (scope.get(organization) ?? []).some(
    (r) => r.clusters.size === 0 || (cluster !== undefined && r.clusters.has(cluster)),
  );
}

/** The scope, or a refusal naming the function the caller lacks (Dutch and English). */
export async function requireFunction(ctx: RestContext, fn: ReferralFunction): Promise<FunctionScope> {
  const scope = await functionScope(ctx, fn);
  if (scope.size === 0) {
    refuse(ctx.language, 403, 'forbidden', {
      en: `This needs the active function '${fn}' (${FUNCTION_SYSTEM}) at an organisation; you hold none`,
      nl: `Hiervoor is de actieve functie '${fn}' (${FUNCTION_SYSTEM}) bij een organisatie nodig; u heeft die niet`,
    });
  }
  return scope;
}
