import type { Condition } from '../fhir/search/types.ts';
import type { Letter } from './scopes/parse-scope.ts';

export type Resource = { resourceType: string } & Record<string, unknown>;

/**
 * What one caller may see and write. The search condition is ANDed into the same SQL
 * statement as the search itself; `canSee`/`canWrite` are its in-memory twins for single
 * resources. A resource the caller may not see is answered exactly as a missing one.
 */
export interface AccessPolicy {
  /** False for the open policy, so callers can skip the work. */
  readonly restricted: boolean;
  /** Who this is, for error messages and logs. */
  readonly describe: string;
  searchCondition(resourceType: string): Condition;
  /** The same criteria for a row of any type (untyped searches, `_include` targets). */
  anyTypeCondition: Condition;
  canSee(resource: Resource): boolean;
  canWrite(resource: Resource): boolean;
  /**
   * Whether the kind of interaction (a SMART letter: c r u d s) is allowed on a type at all;
   * `resourceType` is undefined for system-level interactions.
   */
  allows(letter: Letter | undefined, resourceType: string | undefined): boolean;
}

const TRUE: Condition = { kind: 'true' };

/**
 * Until authentication lands every caller is trusted, as before; a caller that presents a
 * configured token gets a restricted policy instead.
 */
export const OPEN_ACCESS: AccessPolicy = {
  restricted: false,
  describe: 'unrestricted',
  searchCondition: () => TRUE,
  anyTypeCondition: TRUE,
  canSee: () => true,
  canWrite: () => true,
  allows: () => true,
};
