import { expect } from 'chai';
import { createAuditWriter, type AuditStore } from '../../../server/audit/audit-writer.ts';

const event = (n: number) => ({ resourceType: 'AuditEvent', n });

/** A store whose commits take a while and can be made to fail; it records each batch's size. */
function slowStore(failBatch?: number) {
  const batches: number[] = [];
  const store: AuditStore = {
    async appendAuditLog(items) {
      const index = batches.length;
      batches.push(items.length);
      await new Promise((r) => setTimeout(r, 20));
      if (index === failBatch) throw new Error('disk full');
    },
  };
  return { store, batches };
}

describe('audit writer: group commit', () => {
  it('requests that arrive while a batch commits share the next transaction', async () => {
    const { store, batches } = slowStore();
    const writer = createAuditWriter(store);
    const first = writer.write([event(1)]);
    await new Promise((r) => setTimeout(r, 5)); // the first batch is committing now
    await Promise.all([first, ...Array.from({ length: 19 }, (_, i) => writer.write([event(i + 2)]))]);
    expect(batches).to.deep.equal([1, 19]);
  });

  it('a failed commit fails the requests in it, and only those', async () => {
    const { store } = slowStore(0);
    const writer = createAuditWriter(store);
    const first = writer.write([event(1)]);
    await new Promise((r) => setTimeout(r, 5));
    const second = writer.write([event(2)]);
    const outcomes = await Promise.allSettled([first, second]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'fulfilled']);
  });

  it('a batch holds at most maxBatch events; a larger request is a batch of its own', async () => {
    const { store, batches } = slowStore();
    const writer = createAuditWriter(store, 3);
    const first = writer.write([event(0)]);
    await new Promise((r) => setTimeout(r, 5));
    await Promise.all([
      first,
      writer.write([event(1), event(2)]),
      writer.write([event(3), event(4)]),
      writer.write([1, 2, 3, 4].map(event)),
    ]);
    expect(batches).to.deep.equal([1, 2, 2, 4]);
  });
});
