import { randomUUID } from 'node:crypto';
import type { ResourceStore } from '../fhir/storage/resource-store.ts';
import type { Resource } from '../fhir/storage/types.ts';

/**
 * Durable audit with group commit: an AuditEvent is committed before the answer it records
 * leaves, and concurrent requests share a transaction instead of each paying for its own. While
 * one batch commits, the next collects; each request waits for the batch that holds its events.
 * A failed commit fails every request in it (the caller answers 500 and discloses nothing).
 */
export interface AuditWriter {
  write(events: Resource[]): Promise<void>;
  /** Events waiting and the size of the batches committed so far (for metrics). */
  stats(): { pending: number; batches: number; events: number };
}

interface Waiting {
  events: Resource[];
  done: () => void;
  fail: (err: unknown) => void;
}

export function createAuditWriter(store: ResourceStore, maxBatch = 500): AuditWriter {
  const queue: Waiting[] = [];
  let flushing = false;
  let batches = 0;
  let written = 0;

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
          await store.transaction((tx) =>
            tx.insertNew(
              batch.flatMap((w) =>
                w.events.map((resource) => ({ resourceType: 'AuditEvent', id: randomUUID(), resource })),
              ),
            ),
          );
          batches++;
          written += size;
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
    stats: () => ({ pending: queue.reduce((n, w) => n + w.events.length, 0), batches, events: written }),
  };
}
