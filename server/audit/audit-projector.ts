import type { Logger } from 'pino';
import type { ResourceStore } from '../fhir/storage/resource-store.ts';

/**
 * Makes the access log searchable. Requests append their AuditEvents to an append-only intake
 * (one narrow row each, durable before the answer leaves: audit-writer.ts); the projector moves
 * them into the resource tables, where they are read and searched like any resource, in
 * batches: in the background every `intervalMs`, and at once, up to the newest event, before
 * anything reads the log (`settle`), so a read never misses an event logged before it began,
 * on any node.
 *
 * While the node is busy (`busy()`: requests queue for its cores) the background projection
 * steps aside, for at most `maxLagMs`: a burst of reads then pays only for the intake, and its
 * indexing runs when the burst is over. The work is deferred, not saved; under load that lasts
 * longer than `maxLagMs` the projection runs beside the requests again. A read of the log never
 * waits for that: `settle` projects at once.
 */
export interface AuditProjector {
  /** Every event appended before this call is searchable when it resolves. */
  settle(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function createAuditProjector(deps: {
  store: Pick<ResourceStore, 'auditLogHead' | 'projectAuditLog'>;
  logger?: Logger;
  intervalMs?: number;
  batch?: number;
  /** True while requests queue for this node's cores; the background projection waits then. */
  busy?: () => boolean;
  /** The longest the background projection waits for a busy node (0: never waits). */
  maxLagMs?: number;
  now?: () => number;
}): AuditProjector {
  const { store } = deps;
  const batch = deps.batch ?? 1000;
  const intervalMs = deps.intervalMs ?? 1000;
  const maxLagMs = deps.maxLagMs ?? 0;
  const now = deps.now ?? Date.now;
  /** When the background projection first stepped aside for a busy node, since the last drain. */
  let deferredSince: number | undefined;
  // One projection at a time on this node: concurrent readers wait for the same work instead of
  // each holding a connection on the cross-node lock.
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const serial = (work: () => Promise<void>): Promise<void> => {
    const run = chain.then(work);
    chain = run.catch(() => undefined);
    return run;
  };

  /** Whether the background projection steps aside now; reads the gauge, so once per step. */
  function stepAside(): boolean {
    if (maxLagMs === 0 || !deps.busy?.()) return false;
    deferredSince ??= now();
    return now() - deferredSince < maxLagMs;
  }

  /** Projects batches until the intake is empty (true), or a background run steps aside (false). */
  async function drain(wait: boolean, upTo?: string, background = false): Promise<boolean> {
    for (;;) {
      const moved = await store.projectAuditLog(batch, { wait, ...(upTo ? { upTo } : {}) });
      if (moved < batch) return true;
      if (background && stepAside()) return false;
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void serial(async () => {
        // Read the gauge every tick, so it always covers the last interval.
        const aside = stepAside();
        // An idle server asks one cheap question a second, not a transaction with a lock.
        if ((await store.auditLogHead()) === undefined) {
          deferredSince = undefined;
          return;
        }
        if (aside) return;
        if (await drain(false, undefined, true)) deferredSince = undefined;
      })
        .catch((err: unknown) => deps.logger?.warn({ err }, 'access log projection failed; retrying'))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  return {
    async settle() {
      // Everything committed before now has a seq up to the head; a row committed later belongs
      // to a request still under way, which this read cannot be waiting for.
      const head = await store.auditLogHead();
      if (head !== undefined) await serial(async () => void (await drain(true, head)));
    },
    start() {
      stopped = false;
      if (!timer) schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await chain;
    },
  };
}
