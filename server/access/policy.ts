import { FALSE, TRUE } from '../fhir/search/conditions.ts';
import type { Condition } from '../fhir/search/types.ts';
import type { Letter } from '../auth/scope-syntax.ts';
import type { FhirError } from '../fhir/errors.ts';
import type { ResourceStore } from '../fhir/storage/resource-store.ts';

export type Resource = { resourceType: string } & Record<string, unknown>;

/** The SMART letters of a write: create, update, delete. */
export type WriteLetter = 'c' | 'u' | 'd';

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
  /**
   * The organisations the caller acts for (the custodian codes of the rows they hold): set for
   * caregivers and their systems, unset for patients and unrestricted callers.
   */
  readonly organizations?: readonly string[];
  searchCondition(resourceType: string): Condition;
  /** The same criteria for a row of any type (untyped searches, `_include` targets). */
  anyTypeCondition: Condition;
  canSee(resource: Resource): boolean;
  /**
   * Whether the caller may write this resource: as a create, update or delete when `letter`
   * says which (scopes grant them separately), else as any of them.
   */
  canWrite(resource: Resource, letter?: WriteLetter): boolean;
  /**
   * Whether the kind of interaction (a SMART letter: c r u d s) is allowed on a type at all;
   * `resourceType` is undefined for system-level interactions. `interaction` is the dispatched
   * interaction's name (`read`, `$book`, …), for a policy that judges an operation on terms of its
   * own (the portal's seal lets a service's operation through once that service is open).
   */
  allows(letter: Letter | undefined, resourceType: string | undefined, interaction?: string): boolean;
  /**
   * The refusal when `allows` says no for a reason of the policy's own (a portal login that may
   * see nothing medical yet says what to do); undefined: the scopes' refusal.
   */
  refusal?(letter: Letter, resourceType: string | undefined, interaction?: string): FhirError | undefined;
  /**
   * Set only while an e-mail portal account's session has not opened the `record` service
   * (portal-account.ts): the policy it has once it has. A portal operation that passed its own
   * `requireOpenService` and needs the patient's rows reads through it
   * (server/domain/practice/session-services.ts, `serviceStore`).
   */
  readonly unsealed?: AccessPolicy;
  /**
   * Types the caller never sees, whatever else the policy says (the access log, for everyone
   * but the patient it is about and an auditor). Kept apart from `restricted`, so an
   * unrestricted caller's history across resources still pages in SQL.
   */
  readonly hiddenTypes?: ReadonlySet<string>;
  /**
   * May create with its own id (PUT to an id that does not exist). A caller restricted by rules
   * or scopes may not: an id they cannot see must answer exactly like a missing one, and a
   * create there would either fail (the id is taken) or overwrite. They create with POST, or a
   * conditional update without an id. Unset: only when unrestricted.
   */
  readonly updateCreate?: boolean;
  /**
   * What the server puts on a resource this caller writes, before it is judged and stored: the
   * organisation that holds it, the label of patient-entered data. `current` is the version it
   * replaces.
   */
  stamp?(resource: Resource, current: Resource | undefined): Resource;
  /**
   * On what basis the caller sees a patient's data, for the access log: `own-data`,
   * `relationship:<basis>`, `consent`, `emergency`, `trusted-client`, `auditor`.
   */
  basisOf?(patientId: string): readonly string[];
  /**
   * Set when the caller may be one who breaks the glass: the organisation their login may open
   * a hidden patient's record for, or undefined. Asked only when it matters (a hidden Patient,
   * the operation), so no request pays for it otherwise.
   */
  readonly emergencyPlace?: () => Promise<string | undefined>;
  /**
   * A write rule that must read before it decides (rules/catalogue-writes.ts): called for every
   * create, update and delete after the checks above, with the transaction's store unfiltered;
   * throws to refuse. Unlike the rest of the policy it is asked of unrestricted callers too.
   */
  checkWrite?(write: CheckedWrite, raw: ResourceStore): Promise<void>;
}

/** One write as `checkWrite` sees it: the resource after (none: a delete) and before (none: a create). */
export interface CheckedWrite {
  resourceType: string;
  id: string;
  after?: Resource;
  before?: Resource;
}

/**
 * No restriction: practitioners and system clients until the consent gate lands (their SMART
 * scopes still narrow it).
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

/**
 * A caller without credentials: the API answers them 401 before any interaction runs, except
 * discovery; should anything else ever reach a handler, it sees nothing and may do nothing.
 */
export const NO_ACCESS: AccessPolicy = {
  restricted: true,
  describe: 'a caller without credentials',
  searchCondition: () => FALSE,
  anyTypeCondition: FALSE,
  canSee: () => false,
  canWrite: () => false,
  allows: (letter) => letter === undefined,
};
