import { covers, parseScope, type ScopeContext } from '../scope-syntax.ts';

/**
 * Scopes that are not about resources: OpenID Connect, refresh tokens, launch context.
 * oidc-provider knows these as its own ("OIDC") scopes; resource scopes are resource-server
 * scopes of the FHIR base URL.
 */
export const OIDC_SCOPES = [
  'openid',
  'fhirUser',
  'profile',
  'offline_access',
  'online_access',
  'launch',
  'launch/patient',
  'launch/encounter',
];

const words = (scope: string | undefined) => (scope ?? '').split(/\s+/).filter(Boolean);

/**
 * The resource scopes of `requested` that the client's registration covers, in the contexts
 * the flow allows (`system/` for backend services, `patient/` and `user/` for apps). A scope
 * the registration does not cover is left out rather than refused: the token says what was
 * granted, as OAuth allows.
 */
export function grantableResourceScopes(
  requested: string | undefined,
  registered: string | undefined,
  contexts: ScopeContext[],
): string[] {
  const allowed = words(registered).flatMap((s) => parseScope(s) ?? []);
  return [
    ...new Set(
      words(requested).filter((s) => {
        const scope = parseScope(s);
        return (
          scope !== undefined && contexts.includes(scope.context) && allowed.some((a) => covers(a, scope))
        );
      }),
    ),
  ];
}

/** The non-resource scopes of a request that this server knows. */
export function oidcScopes(requested: string | undefined): string[] {
  return words(requested).filter((s) => OIDC_SCOPES.includes(s));
}

/**
 * Which scopes of `granted` cover each scope of `requested`: a resource scope by meaning
 * (`patient/*.rs` covers `patient/Observation.r`, `.read` covers `.rs`), any scope by name.
 * `missing` are the requested scopes nothing granted covers.
 */
export function coveringScopes(
  requested: string | undefined,
  granted: string | undefined,
): { cover: string[]; missing: string[] } {
  const names = words(granted);
  const resources = names.flatMap((s) => parseScope(s) ?? []);
  const cover = new Set<string>();
  const missing: string[] = [];
  for (const name of new Set(words(requested))) {
    const scope = parseScope(name);
    const by = names.includes(name)
      ? [name]
      : scope
        ? resources.filter((g) => covers(g, scope)).map((g) => g.raw)
        : [];
    if (by.length) by.forEach((g) => cover.add(g));
    else missing.push(name);
  }
  return { cover: [...cover], missing };
}

/** The resource scopes of `requested` that `granted` covers (see coveringScopes). */
export function coveredResourceScopes(requested: string | undefined, granted: string | undefined): string[] {
  const { missing } = coveringScopes(requested, granted);
  return [...new Set(words(requested))].filter((s) => parseScope(s) && !missing.includes(s));
}

export function hasScope(scope: string | undefined, name: string): boolean {
  return words(scope).includes(name);
}
