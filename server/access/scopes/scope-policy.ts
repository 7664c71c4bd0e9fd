import { FhirError } from '../../fhir/errors.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import { and as andAll, FALSE, or, TRUE, typeIn } from '../../fhir/search/conditions.ts';
import type { Condition } from '../../fhir/search/types.ts';
import type { Principal, SmartGrant } from '../../auth/principal.ts';
import type { AccessPolicy, Resource, WriteLetter } from '../policy.ts';
import { SHARED_TYPES } from '../shared-types.ts';
import { AGENDA_TYPES, NO_PATIENT } from '../rules/practice-agenda.ts';
import {
  resourceScopes,
  type Letter,
  type ResourceScope,
  type ScopeContext,
} from '../../auth/scope-syntax.ts';

const READ: Letter[] = ['r', 's'];
const WRITE: Letter[] = ['c', 'u', 'd'];

const and = (a: Condition, b: Condition): Condition => andAll([a, b]);

/** Which scope contexts a kind of caller may use: an app acts for a person, a backend for itself. */
function contextsFor(principal: Principal): ScopeContext[] {
  return principal.kind === 'system' ? ['system'] : ['patient', 'user'];
}

/**
 * A SMART token's scopes over the person's (or system's) own policy. Scopes only narrow: every
 * condition is ANDed with the base policy, so a scope never shows what the caller could not see
 * without it. Per type, what `r`/`s` scopes grant is one visible set (the OR of their queries),
 * and the interaction must be named by a letter of some scope on that type (`allows`).
 * `patient/` scopes reach only the patient in context: without one they grant nothing.
 */
export function narrowByScopes(
  base: AccessPolicy,
  principal: Principal,
  grant: SmartGrant,
  search: SearchEngine,
): AccessPolicy {
  const usable = new Set(contextsFor(principal));
  const scopes = resourceScopes(grant.scope).filter(
    (s) => usable.has(s.context) && (s.context !== 'patient' || grant.patientId !== undefined),
  );
  const everything = scopes.some(
    (s) => s.resourceType === '*' && s.context !== 'patient' && s.letters.size === 5 && s.query === undefined,
  );
  if (everything) return base;

  const members = search.compartmentMembers('Patient') ?? new Set<string>();
  const inPatient = (type: string) => type === 'Patient' || members.has(type);
  // The patient themself in context: their other records (by BSN) are theirs too.
  const records =
    principal.kind === 'patient' && grant.patientId === principal.patientId ? (principal.records ?? []) : [];
  const patientCompartment: Condition | undefined = grant.patientId
    ? or(
        [grant.patientId, ...records].map((id): Condition => ({
          kind: 'compartment',
          compartmentType: 'Patient',
          compartmentId: id,
        })),
      )
    : undefined;

  /** The criteria one scope puts on a resource of `type`. */
  function scopeCondition(s: ResourceScope, type: string): Condition {
    // A `patient/` scope reaches the patient's compartment and shared reference data
    // (directory, products, definitions, a practice's agenda), never other types' rows of every
    // patient. A Schedule naming no patient is an agenda; one naming a patient is theirs.
    let c: Condition =
      s.context !== 'patient'
        ? TRUE
        : type === 'Schedule'
          ? or([patientCompartment!, NO_PATIENT])
          : inPatient(type)
            ? patientCompartment!
            : SHARED_TYPES.has(type) || AGENDA_TYPES.has(type)
              ? TRUE
              : FALSE;
    if (s.query !== undefined) {
      try {
        c = and(c, search.criteria(type, s.query, '').condition);
      } catch {
        // A query this server cannot evaluate grants nothing rather than everything.
        c = FALSE;
      }
    }
    return c;
  }

  const cache = new Map<string, Condition>();
  function conditionFor(type: string, letters: Letter[]): Condition {
    const key = `${type} ${letters.join('')}`;
    let c = cache.get(key);
    if (!c) {
      c = or(
        scopes
          .filter(
            (s) =>
              (s.resourceType === '*' || s.resourceType === type) && letters.some((l) => s.letters.has(l)),
          )
          .map((s) => scopeCondition(s, type)),
      );
      cache.set(key, c);
    }
    return c;
  }

  // For a row of any type: each named type with its own criteria, and what `*` scopes grant.
  const named = [...new Set(scopes.filter((s) => s.resourceType !== '*').map((s) => s.resourceType))];
  const wildcard = scopes.filter((s) => s.resourceType === '*' && READ.some((l) => s.letters.has(l)));
  const anyTypeScope = or([
    ...named.map((t) => and(typeIn([t]), conditionFor(t, READ))),
    ...wildcard.map((s) =>
      s.context === 'patient'
        ? or([
            patientCompartment!,
            typeIn([...SHARED_TYPES, 'Slot']),
            andAll([typeIn(['Schedule']), NO_PATIENT]),
          ])
        : TRUE,
    ),
  ]);

  const describe = `${base.describe} with the scopes of ${grant.clientId}`;
  return {
    restricted: true,
    describe,
    ...(base.stamp ? { stamp: base.stamp } : {}),
    ...(base.organizations ? { organizations: base.organizations } : {}),
    ...(base.basisOf ? { basisOf: base.basisOf } : {}),
    ...(base.emergencyPlace ? { emergencyPlace: base.emergencyPlace } : {}),
    searchCondition: (type) => and(base.searchCondition(type), conditionFor(type, READ)),
    anyTypeCondition: and(base.anyTypeCondition, anyTypeScope),
    canSee: (r: Resource) => base.canSee(r) && search.matches(conditionFor(r.resourceType, READ), r),
    canWrite: (r: Resource, letter?: WriteLetter) =>
      base.canWrite(r, letter) && search.matches(conditionFor(r.resourceType, letter ? [letter] : WRITE), r),
    allows(letter, resourceType) {
      if (!letter) return true;
      const ok = scopes.some(
        (s) =>
          s.letters.has(letter) &&
          (!resourceType || s.resourceType === '*' || s.resourceType === resourceType),
      );
      return ok && base.allows(letter, resourceType);
    },
  };
}

/** The refusal when no granted scope names the interaction. */
export function scopeRefusal(describe: string, letter: Letter, resourceType: string | undefined): FhirError {
  return new FhirError(
    403,
    `${describe}: no granted scope allows '${letter}' on ${resourceType || 'this server'}`,
    {
      code: 'forbidden',
    },
  );
}
