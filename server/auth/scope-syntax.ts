/**
 * SMART App Launch v2 resource scopes: `<context>/<type>.<cruds>[?query]`, with the v1 names
 * (`read`, `write`, `*`) read as their v2 equivalents (`rs`, `cud`, `cruds`), as the SMART
 * specification's "Scopes for requesting clinical data" section allows. Everything else
 * (`openid`, `fhirUser`, `launch`, `launch/patient`, `offline_access`, …) is not a resource
 * scope and parses to undefined.
 */
export type ScopeContext = 'patient' | 'user' | 'system';
export type Letter = 'c' | 'r' | 'u' | 'd' | 's';

export interface ResourceScope {
  context: ScopeContext;
  /** A resource type, or `*` for every type. */
  resourceType: string;
  letters: ReadonlySet<Letter>;
  /** The query of a query-restricted scope (`category=laboratory`), without the `?`. */
  query?: string;
  /** The scope as written. */
  raw: string;
}

const ORDER: Letter[] = ['c', 'r', 'u', 'd', 's'];
const V1: Record<string, Letter[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ORDER };
const SHAPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.([a-z*]+)(?:\?(.+))?$/;

function lettersOf(permissions: string): Letter[] | undefined {
  const v1 = V1[permissions];
  if (v1) return v1;
  // v2: a non-empty subsequence of c r u d s, in that order, each at most once.
  let at = 0;
  const out: Letter[] = [];
  for (const ch of permissions) {
    const i = ORDER.indexOf(ch as Letter, at);
    if (i < 0) return undefined;
    out.push(ch as Letter);
    at = i + 1;
  }
  return out.length ? out : undefined;
}

export function parseScope(raw: string): ResourceScope | undefined {
  const m = SHAPE.exec(raw);
  if (!m) return undefined;
  const letters = lettersOf(m[3]!);
  if (!letters) return undefined;
  // A v1 name with a query (`.read?x`) is not a thing; neither is a query on every type.
  if (m[4] !== undefined && (V1[m[3]!] || m[2] === '*')) return undefined;
  return {
    context: m[1] as ScopeContext,
    resourceType: m[2]!,
    letters: new Set(letters),
    ...(m[4] !== undefined ? { query: m[4] } : {}),
    raw,
  };
}

/** The resource scopes of a space-separated scope string; other scopes are left out. */
export function resourceScopes(scope: string): ResourceScope[] {
  return scope
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((s) => parseScope(s) ?? []);
}

/** The v2 spelling of a resource scope (`patient/Observation.read` → `patient/Observation.rs`). */
export function v2Name(s: ResourceScope): string {
  const letters = ORDER.filter((l) => s.letters.has(l)).join('');
  return `${s.context}/${s.resourceType}.${letters}${s.query !== undefined ? `?${s.query}` : ''}`;
}

/**
 * Whether `granted` covers everything `requested` asks for: the same context, the same type or
 * `*`, at least the same letters, and no query or the same one.
 */
/** Types a `*` scope does not reach: reading the access log makes an auditor, so it is named. */
const NAMED_ONLY: ReadonlySet<string> = new Set(['AuditEvent']);

export function covers(granted: ResourceScope, requested: ResourceScope): boolean {
  return (
    granted.context === requested.context &&
    (granted.resourceType === '*'
      ? !NAMED_ONLY.has(requested.resourceType)
      : granted.resourceType === requested.resourceType) &&
    [...requested.letters].every((l) => granted.letters.has(l)) &&
    (granted.query === undefined || granted.query === requested.query)
  );
}
