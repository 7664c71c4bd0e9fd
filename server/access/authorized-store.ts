import { randomUUID } from 'node:crypto';
import type { AuditTrail, WriteRecord } from '../audit/audit-trail.ts';
import { FhirError } from '../fhir/errors.ts';
import { and, not } from '../fhir/search/conditions.ts';
import type { Condition } from '../fhir/search/types.ts';
import type { ResourceStore, WrittenVersion } from '../fhir/storage/resource-store.ts';
import type { HistoryEntry, HistoryQuery, Resource, StoredVersion } from '../fhir/storage/types.ts';
import { assertCreatable, assertReplaceable, assertWritable } from './guard-writes.ts';
import { OPEN_ACCESS, type AccessPolicy } from './policy.ts';
import { custodianOf } from './rules/treatment-relationship.ts';
import { letterFor } from './scopes/interaction-letter.ts';
import { scopeRefusal } from './scopes/scope-policy.ts';
import { authorizedSearch, type AuthorizedSearch } from './authorized-search.ts';

/** The access log's type: written once, never changed, searchable once projected. */
const LOG = 'AuditEvent';
/** Types that are written once and never changed: the access log. */
const IMMUTABLE: ReadonlySet<string> = new Set([LOG]);
const CHANGES: ReadonlySet<string> = new Set(['update', 'patch', 'delete']);

/** What a caller may know of a resource by its id. */
export type Lookup =
  /** Never existed, or not theirs to see: the same to them. */
  | { kind: 'none' }
  /** Deleted; `headers` says whether its version may be shown (they saw the version it deleted). */
  | { kind: 'gone'; version: StoredVersion; headers: boolean }
  | { kind: 'live'; version: StoredVersion };

/**
 * The store as one caller may use it: every read, search, history and write goes through the
 * caller's policy here, so no interaction can forget it (the REST layer never holds the raw
 * store). Searches carry the policy's criteria in their own SQL statement; single resources are
 * judged by its in-memory twin; writes by the write guard.
 */
export interface AuthorizedStoreOptions {
  /** The most versions a deletion is judged by. */
  maxVersions: number;
  /** The request's access log: every change is logged in the transaction that makes it. */
  audit?: Pick<AuditTrail, 'writeEvents'>;
  /**
   * Makes every AuditEvent logged so far searchable (AuditProjector.settle): called before
   * anything that may read the log, for a caller who may see it.
   */
  settleLog?: () => Promise<void>;
  /** What features beside the gate do with writes (server/fhir/subscriptions): see WriteHooks. */
  hooks?: WriteHooks;
}

/**
 * Work that belongs to every write, whoever makes it and through whichever interaction: `prepare`
 * checks and completes a resource before it is judged and stored (a refusal is the write's
 * answer); `written` runs after it is stored, in the write's transaction (to enqueue work that
 * must exist exactly when the change does).
 */
export interface WriteHooks {
  prepare?(resource: Resource, current: Resource | undefined): Promise<Resource>;
  written?(raw: ResourceStore, written: WrittenVersion[]): Promise<void>;
}

export class AuthorizedStore {
  readonly search: AuthorizedSearch;
  private readonly maxVersions: number;
  private readonly audit: AuthorizedStoreOptions['audit'];

  constructor(
    private readonly raw: ResourceStore,
    readonly access: AccessPolicy,
    private readonly options: AuthorizedStoreOptions,
  ) {
    this.maxVersions = options.maxVersions;
    this.audit = options.audit;
    this.search = authorizedSearch(raw.search, access, (needed) => this.settleLog(needed));
  }

  /**
   * Who holds a stored version, as this caller sees it: `own` (one of the caller's organisations,
   * or none), `other` (another organisation). Undefined for a caller who acts for no organisation
   * (a patient, a trusted client): for them every record is alike.
   */
  holderOf(version: StoredVersion): 'own' | 'other' | undefined {
    const mine = this.access.organizations;
    if (!mine?.length) return undefined;
    const held = custodianOf(JSON.parse(version.content ?? '{}') as Resource);
    return held === undefined || mine.includes(held) ? 'own' : 'other';
  }

  /** Settles the access log when what follows may read it and the caller may see it. */
  private async settleLog(needed: boolean): Promise<void> {
    if (needed && this.options.settleLog && !this.access.hiddenTypes?.has(LOG)) {
      await this.options.settleLog();
    }
  }

  /** Refuses (403) an interaction the caller's scopes do not allow on this type at all. */
  assertAllowed(
    interaction: string | string[],
    compartmentSearch: boolean,
    resourceType: string | undefined,
  ): void {
    // For whoever may not see the log, decided on the type before anything is looked up, so the
    // refusal says nothing of existence; for an auditor, `write` refuses an existing event (a new
    // id is a create).
    if (
      resourceType &&
      IMMUTABLE.has(resourceType) &&
      this.access.hiddenTypes?.has(resourceType) &&
      typeof interaction === 'string' &&
      CHANGES.has(interaction)
    ) {
      throw new FhirError(405, `${resourceType} is the access log: it is never changed or deleted`, {
        code: 'not-supported',
      });
    }
    const letter = letterFor(interaction, compartmentSearch);
    const name = typeof interaction === 'string' && !compartmentSearch ? interaction : undefined;
    if (!this.access.allows(letter, resourceType, name)) {
      throw (
        this.access.refusal?.(letter!, resourceType, name) ??
        scopeRefusal(this.access.describe, letter!, resourceType)
      );
    }
  }

  /** Whether the caller may know of this version. A deletion has no content to judge. */
  visible(version: { resourceType?: string; content?: string | null }): boolean {
    if (version.resourceType && this.access.hiddenTypes?.has(version.resourceType)) return false;
    if (!this.access.restricted) return true;
    if (!version.content) return false;
    return this.access.canSee(JSON.parse(version.content) as Resource);
  }

  /** The in-memory twin for a resource not stored yet (a Bundle's own creates). */
  canSee(resource: Resource): boolean {
    if (this.access.hiddenTypes?.has(resource.resourceType)) return false;
    return !this.access.restricted || this.access.canSee(resource);
  }

  /** The current version as far as the caller may know it. */
  async lookup(resourceType: string, id: string, forUpdate = false): Promise<Lookup> {
    await this.settleLog(resourceType === LOG);
    const stored = forUpdate
      ? await this.raw.readForUpdate(resourceType, id)
      : await this.raw.read(resourceType, id);
    if (!stored) return { kind: 'none' };
    if (!stored.deleted) return this.visible(stored) ? { kind: 'live', version: stored } : { kind: 'none' };
    if (this.access.hiddenTypes?.has(resourceType)) return { kind: 'none' };
    if (!this.access.restricted) return { kind: 'gone', version: stored, headers: true };
    // A restricted caller learns of a deletion only when an earlier version was theirs to see,
    // and its version headers only when the version it deleted was (else the ETag would count
    // versions they never saw).
    const versions = await this.versions(resourceType, id);
    if (!versions.some((v) => this.visible(v))) return { kind: 'none' };
    const deletedVersion = versions.find((v) => v.content);
    return {
      kind: 'gone',
      version: stored,
      headers: deletedVersion !== undefined && this.visible(deletedVersion),
    };
  }

  /**
   * Whether a Patient hidden from the caller exists and they may open it by break-the-glass:
   * then, and only then, the refusal tells them so (they could open it anyway).
   */
  async emergencyReachable(resourceType: string, id: string): Promise<boolean> {
    if (resourceType !== 'Patient' || !(await this.mayBreakTheGlass())) return false;
    const stored = await this.raw.read(resourceType, id);
    return Boolean(stored && !stored.deleted);
  }

  /**
   * Whether the caller may open a hidden patient's record by break-the-glass (a clinical login at
   * a place configured for it): the only callers told of patients hidden from them (the read's
   * `suppressed` hint, the portal search's offer).
   */
  async mayBreakTheGlass(): Promise<boolean> {
    return Boolean(this.access.emergencyPlace && (await this.access.emergencyPlace()));
  }

  /**
   * Patients the caller may not see that satisfy `condition`, at most `limit`, for a caller who
   * may break the glass (else none): the search's criteria and NOT the caller's own, in one
   * statement. Only ids: what they may open by break-the-glass, never their data.
   */
  async hiddenPatients(condition: Condition, limit: number): Promise<string[]> {
    if (!this.access.restricted || !(await this.mayBreakTheGlass())) return [];
    const rows = await this.raw.search.page({
      types: [
        { resourceType: 'Patient', condition: and([condition, not(this.access.searchCondition('Patient'))]) },
      ],
      sort: [],
      limit,
    });
    return rows.map((r) => r.id);
  }

  /**
   * Whether the id is taken by a resource the caller may know of; a hidden one goes on to the
   * write guard, which refuses it.
   */
  async isTaken(resourceType: string, id: string): Promise<boolean> {
    await this.settleLog(resourceType === LOG);
    const stored = await this.raw.read(resourceType, id);
    return Boolean(stored && this.visible(stored));
  }

  /** Whether the resource exists (in any state) and some version of it is the caller's to see. */
  async knows(resourceType: string, id: string): Promise<boolean> {
    await this.settleLog(resourceType === LOG);
    if (!(await this.raw.read(resourceType, id))) return false;
    if (this.access.hiddenTypes?.has(resourceType)) return false;
    if (!this.access.restricted) return true;
    return (await this.versions(resourceType, id)).some((v) => this.visible(v));
  }

  /** A resource's versions, newest first: what a deletion is judged by. */
  private versions(resourceType: string, id: string): Promise<HistoryEntry[]> {
    return this.raw.history({ resourceType, id, count: this.maxVersions });
  }

  /** One version, or undefined when it does not exist or is not the caller's to see. */
  async readVersion(resourceType: string, id: string, vid: number): Promise<StoredVersion | undefined> {
    await this.settleLog(resourceType === LOG);
    const stored = await this.raw.readVersion(resourceType, id, vid);
    return stored && this.visible(stored) ? stored : undefined;
  }

  /**
   * History, newest first. Across resources it is refused to a restricted caller: filtering a
   * whole type's history would page and count through versions they may not know of.
   * A deletion is shown when the caller knows the resource (instance history).
   */
  async history(query: HistoryQuery): Promise<HistoryEntry[]> {
    if (this.access.restricted && !query.id) {
      throw new FhirError(403, `History across resources is not available to ${this.access.describe}`, {
        code: 'forbidden',
      });
    }
    if (query.resourceType && this.access.hiddenTypes?.has(query.resourceType)) return [];
    await this.settleLog(!query.resourceType || query.resourceType === LOG);
    return this.raw.history({
      ...query,
      ...(this.access.hiddenTypes?.size ? { excludeTypes: [...this.access.hiddenTypes] } : {}),
    });
  }

  /** Whether a history row is shown (filtered after paging, so cursors stay in write order). */
  shows(row: HistoryEntry): boolean {
    if (this.access.hiddenTypes?.has(row.resourceType)) return false;
    return !this.access.restricted || this.visible(row) || !row.content;
  }

  /** How many versions the resource has; undefined for a restricted caller (it counts hidden ones). */
  async countVersions(resourceType: string, id: string): Promise<number | undefined> {
    return this.access.restricted || this.access.hiddenTypes?.has(resourceType)
      ? undefined
      : this.raw.countVersions(resourceType, id);
  }

  /** Whether the caller may create with their own id (see AccessPolicy.updateCreate). */
  get mayCreateWithId(): boolean {
    return this.access.updateCreate ?? !this.access.restricted;
  }

  /**
   * The current version for a write, locked, and whether it is hidden from the caller: then the
   * write must answer exactly as for an id that never existed, and change nothing. (A caller
   * who may create with their own id cannot be answered that way; they are the unrestricted and
   * test-mode tokens, who may write anything.)
   */
  async readForWrite(
    resourceType: string,
    id: string,
  ): Promise<{ current?: StoredVersion; hidden: boolean }> {
    await this.settleLog(resourceType === LOG);
    const current = await this.raw.readForUpdate(resourceType, id);
    if (!current || this.mayCreateWithId) return { ...(current ? { current } : {}), hidden: false };
    const seen = current.deleted
      ? (await this.versions(resourceType, id)).some((v) => this.visible(v))
      : this.visible(current);
    return { current, hidden: !seen };
  }

  /**
   * Before answering from the current version (If-Match, an update that changes nothing):
   * refused when the caller may not replace it, or, when the answer shows it, may not see it.
   */
  assertReplaceable(current: StoredVersion | undefined, answersFromCurrent: boolean): void {
    assertReplaceable(this.access, current, answersFromCurrent);
  }

  /** Every create, update, patch, delete and Bundle entry ends here or in insertNew. */
  async write(...[given, current]: Parameters<ResourceStore['write']>): ReturnType<ResourceStore['write']> {
    const change = this.stamped(await this.prepared(given, current), current);
    if (IMMUTABLE.has(change.resourceType)) {
      if (current?.content || !change.resource) {
        throw new FhirError(405, `${change.resourceType} is the access log: it is never changed or deleted`, {
          code: 'not-supported',
        });
      }
      assertCreatable(
        this.access,
        [{ resourceType: change.resourceType, id: change.id, resource: change.resource }],
        true,
      );
    }
    assertWritable(this.access, change, current);
    const before = current?.content ? (JSON.parse(current.content) as Resource) : undefined;
    await this.access.checkWrite?.(
      {
        resourceType: change.resourceType,
        id: change.id,
        ...(change.resource ? { after: { ...change.resource, id: change.id } } : {}),
        ...(before ? { before } : {}),
      },
      this.raw,
    );
    const written = await this.raw.write(change, current);
    await this.options.hooks?.written?.(this.raw, [written]);
    await this.logChanges([
      {
        method: change.method,
        resourceType: change.resourceType,
        id: change.id,
        ...(current?.content ? { before: JSON.parse(current.content) as Resource } : {}),
        ...(change.resource ? { after: { ...change.resource, id: change.id } } : {}),
      },
    ]);
    return written;
  }

  async insertNew(
    ...[given]: Parameters<ResourceStore['insertNew']>
  ): ReturnType<ResourceStore['insertNew']> {
    const stamp = this.access.stamp;
    const prepared = await Promise.all(
      given.map(async (it) => ({ ...it, resource: (await this.prepared(it, undefined)).resource! })),
    );
    const items = stamp
      ? prepared.map((it) => ({ ...it, resource: stamp(it.resource, undefined) }))
      : prepared;
    assertCreatable(
      this.access,
      items.filter((it) => IMMUTABLE.has(it.resourceType)),
      true,
    );
    assertCreatable(this.access, items);
    for (const it of items) {
      await this.access.checkWrite?.(
        { resourceType: it.resourceType, id: it.id, after: { ...it.resource, id: it.id } },
        this.raw,
      );
    }
    const written = await this.raw.insertNew(items);
    await this.options.hooks?.written?.(this.raw, written);
    await this.logChanges(
      items.map((it) => ({
        method: 'POST' as const,
        resourceType: it.resourceType,
        id: it.id,
        after: { ...it.resource, id: it.id },
      })),
    );
    return written;
  }

  /** The resource as the write hooks complete it (or refuse it). */
  private async prepared<T extends { resource?: Resource }>(
    change: T,
    current: StoredVersion | undefined,
  ): Promise<T> {
    const prepare = this.options.hooks?.prepare;
    if (!prepare || !change.resource) return change;
    const before = current?.content ? (JSON.parse(current.content) as Resource) : undefined;
    return { ...change, resource: await prepare(change.resource, before) };
  }

  /** The resource as the policy stores it (its holder, a patient's label): see AccessPolicy.stamp. */
  private stamped(
    change: Parameters<ResourceStore['write']>[0],
    current: StoredVersion | undefined,
  ): Parameters<ResourceStore['write']>[0] {
    if (!this.access.stamp || !change.resource) return change;
    const before = current?.content ? (JSON.parse(current.content) as Resource) : undefined;
    return { ...change, resource: this.access.stamp(change.resource, before) };
  }

  /** The changes' AuditEvents, in the same transaction: no change commits without its log. */
  private async logChanges(writes: WriteRecord[]): Promise<void> {
    const events = this.audit?.writeEvents(writes) ?? [];
    await this.raw.appendAuditLog(events.map((event) => ({ ...event, id: randomUUID() })));
  }

  lock(...args: Parameters<ResourceStore['lock']>): ReturnType<ResourceStore['lock']> {
    return this.raw.lock(...args);
  }

  lockAll(...args: Parameters<ResourceStore['lockAll']>): ReturnType<ResourceStore['lockAll']> {
    return this.raw.lockAll(...args);
  }

  lockInOrder(...args: Parameters<ResourceStore['lockInOrder']>): ReturnType<ResourceStore['lockInOrder']> {
    return this.raw.lockInOrder(...args);
  }

  /**
   * The store for a domain operation that has decided by its own rules what the caller may do
   * here (a beheerder adds a caregiver to the collective, a casemanager starts a plan): no
   * policy, but the caller's access log, so every change is logged as theirs, in its
   * transaction. `raw` is the transaction the operation runs in. For server/domain only: the
   * REST layer has no raw store to give it.
   */
  onBehalf(raw: ResourceStore): AuthorizedStore {
    return new AuthorizedStore(raw, OPEN_ACCESS, {
      maxVersions: this.maxVersions,
      ...(this.audit ? { audit: this.audit } : {}),
      ...(this.options.hooks ? { hooks: this.options.hooks } : {}),
    });
  }

  /**
   * The same store judged by another policy: the caller's own, decided afresh after a commit
   * that changed what they may see (a referral relates its referrer to the patient).
   */
  withAccess(access: AccessPolicy): AuthorizedStore {
    return new AuthorizedStore(this.raw, access, this.options);
  }

  /**
   * A unit of work in one database transaction. The log is settled before it opens, not inside
   * it: settling takes a connection of its own (PGlite has only one). `raw` is the same
   * transaction without the policy, for records beside the resources that must commit with them
   * (the HL7 v2 message log).
   */
  async transaction<T>(fn: (store: AuthorizedStore, raw: ResourceStore) => Promise<T>): Promise<T> {
    if (this.raw.inTransaction) return fn(this, this.raw);
    await this.settleLog(true);
    const { settleLog: _, ...inside } = this.options;
    return this.raw.transaction((tx) => fn(new AuthorizedStore(tx, this.access, inside), tx));
  }
}
