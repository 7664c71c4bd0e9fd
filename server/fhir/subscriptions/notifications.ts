import type { Logger } from 'pino';
import type { AccessPolicy } from '../../access/policy.ts';
import type { AuthorizedStore, WriteHooks } from '../../access/authorized-store.ts';
import { subscriptionOwner, type SubscriptionOwner } from '../../access/rules/subscription-owner.ts';
import type { AuditTrail } from '../../audit/audit-trail.ts';
import type { Principal } from '../../auth/principal.ts';
import { and, or } from '../search/conditions.ts';
import type { SearchEngine } from '../search/engine.ts';
import type { Condition } from '../search/types.ts';
import type { JobDatabase, JobQueue } from '../storage/job-queue.ts';
import type { ResourceStore, WrittenVersion } from '../storage/resource-store.ts';
import type { Resource } from '../storage/types.ts';
import { postNotification } from './endpoint.ts';
import { channelHeaders, compileCriteria, FHIR_JSON, prepareSubscription } from './subscription-rules.ts';

type Json = Record<string, unknown>;

export const NOTIFY_QUEUE = 'subscription-notify';

/** One notification waiting: this subscription, about this resource (as it is when delivered). */
export interface Notification {
  subscription: string;
  resourceType: string;
  id: string;
}

export interface SubscriptionConfig {
  /** SUBSCRIPTION_PRIVATE_ENDPOINTS=allow: http and internal addresses too (tests, closed networks). */
  allowPrivate: boolean;
  /** Deliveries tried after the first before the subscription goes to `error`. */
  retryLimit: number;
  /** The first retry's delay; then doubling (pg-boss backoff), to an hour at most. */
  retryDelaySeconds: number;
  /** How long one POST may take. */
  timeoutMs: number;
}

export interface SubscriptionDeps {
  queue: JobQueue;
  /** The server's own store (no policy): subscriptions are found and marked by the server. */
  store: ResourceStore;
  search: SearchEngine;
  config: SubscriptionConfig;
  logger: Logger;
  /** The subscription's maker as a principal now (roles and registration as they are today), or none. */
  principalOf(owner: SubscriptionOwner): Promise<Principal | undefined>;
  accessFor(principal: Principal): Promise<AccessPolicy>;
  storeFor(access: AccessPolicy, audit?: AuditTrail): AuthorizedStore;
  auditTrailFor(principal: Exclude<Principal, { kind: 'anonymous' }>, access: AccessPolicy): AuditTrail;
}

const UNSUBSCRIBABLE = new Set(['AuditEvent', 'Subscription']);

/**
 * The active Subscriptions whose criteria are of one of these types: one indexed search
 * (`status=active` and `criteria` starting with `Type?` or equal to `Type`), its condition
 * compiled once per set of types. What the write hook pays on every write.
 */
export function activeSubscriptions(search: SearchEngine) {
  const activeCondition = new Map<string, Condition>();
  const activeFor = (types: string[]): Condition => {
    const key = types.join(',');
    let c = activeCondition.get(key);
    if (!c) {
      const encoded = (t: string) => encodeURIComponent(t);
      c = and([
        search.criteria('Subscription', 'status=active', '').condition,
        or([
          search.criteria('Subscription', `criteria=${types.map((t) => encoded(`${t}?`)).join(',')}`, '')
            .condition,
          search.criteria('Subscription', `criteria:exact=${types.map(encoded).join(',')}`, '').condition,
        ]),
      ]);
      if (activeCondition.size > 1000) activeCondition.clear();
      activeCondition.set(key, c);
    }
    return c;
  };
  return async (raw: ResourceStore, types: string[]): Promise<Json[]> => {
    const rows = await raw.search.page({
      types: [{ resourceType: 'Subscription', condition: activeFor([...types].sort()) }],
      sort: [],
      limit: 10_000,
    });
    return rows.flatMap((r) => (r.content ? [JSON.parse(r.content) as Json] : []));
  };
}

/**
 * R4 REST-hook subscriptions (README.md here). Every committed create or update of a type some
 * active Subscription's criteria name enqueues, in the write's own transaction, one notification
 * per such subscription; a worker (on any node) decides at delivery time, as the subscription's
 * maker through the gate, whether the resource matches the criteria and may be seen, and POSTs
 * to the endpoint, retrying with backoff; after the last failure the subscription goes to
 * `error`. Subscriptions are read from the database on every write: nothing to keep in step
 * between nodes.
 */
export function createSubscriptions(deps: SubscriptionDeps) {
  const { search, config, logger } = deps;
  const subscriptionsOf = activeSubscriptions(search);

  /** Whether the version just written matches the criteria (in memory; the gate is judged at delivery). */
  const compiled = new Map<string, ReturnType<typeof compileCriteria>>();
  const matchesNow = (criteria: string, resource: Resource | undefined): boolean => {
    if (!resource) return true;
    try {
      let c = compiled.get(criteria);
      if (!c) {
        if (compiled.size > 1000) compiled.clear();
        compiled.set(criteria, (c = compileCriteria(search, criteria)));
      }
      const { resourceType, condition } = c;
      return resourceType === resource.resourceType && search.matches(condition, resource as never);
    } catch {
      return false;
    }
  };

  async function enqueue(
    raw: ResourceStore,
    changed: { resourceType: string; id: string; resource?: Resource }[],
  ): Promise<number> {
    const relevant = changed.filter((c) => !UNSUBSCRIBABLE.has(c.resourceType));
    if (!relevant.length) return 0;
    const subscriptions = await subscriptionsOf(raw, [...new Set(relevant.map((c) => c.resourceType))]);
    if (!subscriptions.length) return 0;
    const jobs = relevant.flatMap((c) =>
      subscriptions
        .filter((s) => {
          const criteria = String(s.criteria ?? '');
          return (
            (criteria === c.resourceType || criteria.startsWith(`${c.resourceType}?`)) &&
            matchesNow(criteria, c.resource && { ...c.resource, id: c.id })
          );
        })
        .map((s) => ({ data: { subscription: s.id as string, resourceType: c.resourceType, id: c.id } })),
    );
    if (jobs.length) await deps.queue.insert(NOTIFY_QUEUE, jobs, { db: raw.jobs as JobDatabase });
    return jobs.length;
  }

  const hooks: WriteHooks = {
    prepare: prepareSubscription({ search, allowPrivate: config.allowPrivate }),
    async written(raw: ResourceStore, written: WrittenVersion[]) {
      await enqueue(
        raw,
        written
          .filter((w) => !w.stored.deleted)
          .map((w) => ({
            resourceType: w.stored.resourceType,
            id: w.stored.id,
            ...(w.resource ? { resource: w.resource } : {}),
          })),
      );
    },
  };

  /** The subscription to `error`, with the last failure: its maker sees why, and asks again. */
  async function markError(id: string, error: string): Promise<void> {
    await deps.store.transaction(async (tx) => {
      const current = await tx.readForUpdate('Subscription', id);
      if (!current?.content) return;
      const s = JSON.parse(current.content) as Json;
      if (s.status !== 'active') return;
      await tx.write(
        {
          resourceType: 'Subscription',
          id,
          method: 'PUT',
          resource: { ...s, status: 'error', error } as unknown as Resource,
        },
        current,
      );
    });
  }

  /** Sends one notification now (resolves: delivered or nothing to deliver; rejects: try again). */
  async function deliver(n: Notification): Promise<void> {
    const stored = await deps.store.read('Subscription', n.subscription);
    if (!stored?.content) return;
    const subscription = JSON.parse(stored.content) as Json;
    if (subscription.status !== 'active') return;
    const owner = subscriptionOwner(subscription as Resource);
    const principal = owner && (await deps.principalOf(owner));
    if (!principal || principal.kind === 'anonymous') return;
    const access = await deps.accessFor(principal);
    let criteria: ReturnType<typeof compileCriteria>;
    try {
      criteria = compileCriteria(search, subscription.criteria);
    } catch {
      return;
    }
    if (criteria.resourceType !== n.resourceType || !access.allows('r', n.resourceType)) return;
    // The criteria and the gate, as the maker, on the resource as it is now: a resource that
    // no longer matches or that they may no longer see is not sent, not even as a ping.
    const rows = await deps.storeFor(access).search.page({
      types: [
        {
          resourceType: n.resourceType,
          condition: and([
            criteria.condition,
            search.criteria(n.resourceType, `_id=${encodeURIComponent(n.id)}`, '').condition,
          ]),
        },
      ],
      sort: [],
      limit: 1,
    });
    const found = rows[0];
    if (!found?.content) return;
    const channel = (subscription.channel ?? {}) as Json;
    const withContent = String(channel.payload ?? '').startsWith(FHIR_JSON);
    const url = new URL(String(channel.endpoint));
    if (withContent) {
      // In the patient's access log before it can leave: a log that cannot be written sends nothing.
      const trail = deps.auditTrailFor(principal, access);
      trail.record({
        interaction: 'subscription-notification',
        resourceType: n.resourceType,
        id: n.id,
        query: `Subscription/${n.subscription} to ${url.origin}`,
        status: 200,
        resources: [JSON.parse(found.content) as Resource],
      });
      await trail.commit();
    }
    const status = await postNotification(
      url,
      { ...channelHeaders(channel.header), ...(withContent ? { 'content-type': FHIR_JSON } : {}) },
      withContent ? found.content : '',
      { allowPrivate: config.allowPrivate, timeoutMs: config.timeoutMs },
    );
    if (status < 200 || status > 299) throw new Error(`the endpoint answered HTTP ${status}`);
  }

  return {
    hooks,
    /** Notifications for these resources now, as if they were just written (a resend); how many. */
    renotify: (raw: ResourceStore, resources: { resourceType: string; id: string }[]) =>
      enqueue(raw, resources),
    async start(): Promise<void> {
      const policy = {
        retryLimit: config.retryLimit,
        retryDelay: config.retryDelaySeconds,
        retryBackoff: true,
        retryDelayMax: 3600,
      };
      await deps.queue.createQueue(NOTIFY_QUEUE, policy);
      await deps.queue.updateQueue(NOTIFY_QUEUE, policy);
      await deps.queue.work<Notification>(NOTIFY_QUEUE, { pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const job of jobs) {
          try {
            await deliver(job.data);
          } catch (err) {
            const reason = (err as Error).message;
            const last = job.retryCount >= config.retryLimit;
            logger.warn(
              { subscription: job.data.subscription, attempt: job.retryCount + 1, last, reason },
              last
                ? 'subscription notification failed for the last time'
                : 'subscription notification failed; tried again later',
            );
            if (last) await markError(job.data.subscription, `${new Date().toISOString()}: ${reason}`);
            throw err;
          }
        }
      });
    },
  };
}

export type Subscriptions = ReturnType<typeof createSubscriptions>;
