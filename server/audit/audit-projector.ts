import type { Logger } from 'pino';
import type { ResourceStore } from '../fhir/storage/resource-store.ts';

/**
 * Makes the access log searchable. Requests append their AuditEvents to an append-only intake
 * (one narrow row each, durable before the answer leaves: audit-writer.ts); the projector moves
 * them into the resource tables, where they are read and searched like any resource, in
 * batches: in the background every `intervalMs`, and at once, up to the newest event, before
 * anything reads the log (`settle`), so a read never misses an event logged before it began,
 * on any node.
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
}): AuditProjector {
  const { store } = deps;
  const batch = deps.batch ?? 1000;
  const intervalMs = deps.intervalMs ?? 1000;
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

  async function drain(wait: boolean, upTo?: string): Promise<void> {
    for (;;) {
      const moved = await store.projectAuditLog(batch, { wait, ...(upTo ? { upTo } : {}) });
      if (moved < batch) return;
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      // An idle server asks one cheap question a second, not a transaction with a lock.
      void serial(async () => {
        if ((await store.auditLogHead()) !== undefined) await drain(false);
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
      if (head !== undefined) await serial(() => drain(true, head));
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
