import { randomUUID } from 'node:crypto';
import type { ResourceStore } from '../fhir/storage/resource-store.ts';
import type { Resource } from '../fhir/storage/types.ts';

/**
 * Durable audit with group commit: an AuditEvent is committed (to the log's append-only intake,
 * see audit-projector.ts) before the answer it records leaves, and concurrent requests share one
 * auto-committed statement instead of each paying for its own. While
 * one batch commits, the next collects; each request waits for the batch that holds its events.
 * A failed commit fails every request in it (the caller answers 500 and discloses nothing).
 */
export interface AuditWriter {
  write(events: Resource[]): Promise<void>;
}

interface Waiting {
  events: Resource[];
  done: () => void;
  fail: (err: unknown) => void;
}

/** What the writer needs of the store: the log's append-only intake. */
export type AuditStore = Pick<ResourceStore, 'appendAuditLog'>;

export function createAuditWriter(store: AuditStore, maxBatch = 500): AuditWriter {
  const queue: Waiting[] = [];
  let flushing = false;

  async function flush(): Promise<void> {
    flushing = true;
    try {
      while (queue.length) {
        const batch: Waiting[] = [];
        let size = 0;
        while (queue.length && (size === 0 || size + queue[0]!.events.length <= maxBatch)) {
          const next = queue.shift()!;
          batch.push(next);
          size += next.events.length;
        }
        try {
          await store.appendAuditLog(
            batch.flatMap((w) => w.events.map((event) => ({ ...event, id: randomUUID() }))),
          );
          for (const w of batch) w.done();
        } catch (err) {
          for (const w of batch) w.fail(err);
        }
      }
    } finally {
      flushing = false;
    }
  }

  return {
    write(events) {
      if (events.length === 0) return Promise.resolve();
      return new Promise<void>((done, fail) => {
        queue.push({ events, done, fail });
        if (!flushing) void flush();
      });
    },
  };
}
