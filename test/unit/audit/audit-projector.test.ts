import { expect } from 'chai';
import { createAuditProjector } from '../../../server/audit/audit-projector.ts';
import { createLoadGauge } from '../../../server/http/load-gauge.ts';

/** An intake of `pending` events that the projector empties in batches. */
function intake(pending: number) {
  const state = { pending, projected: 0 };
  const store = {
    async auditLogHead() {
      return state.pending > 0 ? String(state.pending) : undefined;
    },
    async projectAuditLog(limit: number) {
      const moved = Math.min(limit, state.pending);
      state.pending -= moved;
      state.projected += moved;
      return moved;
    },
  };
  return { state, store };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('audit projector: background indexing steps aside for a busy node', () => {
  it('projects in the background when the node is not busy', async () => {
    const { state, store } = intake(2500);
    const projector = createAuditProjector({ store, intervalMs: 5, busy: () => false, maxLagMs: 10_000 });
    projector.start();
    await sleep(60);
    await projector.stop();
    expect(state).to.deep.equal({ pending: 0, projected: 2500 });
  });

  it('waits while busy, then projects once the wait reaches maxLagMs', async () => {
    const { state, store } = intake(10);
    let clock = 0;
    const projector = createAuditProjector({
      store,
      intervalMs: 5,
      busy: () => true,
      maxLagMs: 1000,
      now: () => clock,
    });
    projector.start();
    await sleep(50);
    expect(state.projected, 'deferred while busy').to.equal(0);
    clock = 1000;
    await sleep(50);
    await projector.stop();
    expect(state.projected, 'the lag bound reached').to.equal(10);
  });

  it('never waits with maxLagMs 0, and a read settles at once even while busy', async () => {
    const never = intake(10);
    const p1 = createAuditProjector({ store: never.store, intervalMs: 5, busy: () => true, maxLagMs: 0 });
    p1.start();
    await sleep(50);
    await p1.stop();
    expect(never.state.projected).to.equal(10);

    const busy = intake(10);
    const p2 = createAuditProjector({ store: busy.store, intervalMs: 5, busy: () => true, maxLagMs: 60_000 });
    p2.start();
    await sleep(30);
    expect(busy.state.projected).to.equal(0);
    await p2.settle();
    await p2.stop();
    expect(busy.state.projected).to.equal(10);
  });
});

describe('load gauge: mean requests in flight', () => {
  it('averages the requests in flight over the time since the last reading', () => {
    let t = 0;
    const gauge = createLoadGauge(() => t);
    const finishers: (() => void)[] = [];
    const request = () => {
      const listeners: Record<string, () => void> = {};
      const res = { once: (event: string, fn: () => void) => (listeners[event] = fn) };
      gauge.middleware({} as never, res as never, () => undefined);
      finishers.push(() => {
        listeners.finish?.();
        listeners.close?.(); // both fire for one response; it counts once
      });
    };
    request();
    request(); // two in flight from t=0
    t = 100;
    finishers[0]!(); // one left from t=100
    t = 200;
    expect(gauge.meanInFlight()).to.equal(1.5);
    t = 300;
    finishers[1]!();
    t = 400;
    expect(gauge.meanInFlight()).to.equal(0.5);
    t = 500;
    expect(gauge.meanInFlight()).to.equal(0);
  });
});

describe('audit projector: a busy node mid-drain', () => {
  it('stops between batches when the node becomes busy, and finishes when it is quiet again', async () => {
    const { state, store } = intake(5000);
    let busy = false;
    const slow = {
      auditLogHead: store.auditLogHead,
      async projectAuditLog(limit: number) {
        const moved = await store.projectAuditLog(limit);
        if (state.projected === 2000) busy = true; // load arrives after the second batch
        return moved;
      },
    };
    const projector = createAuditProjector({
      store: slow,
      batch: 1000,
      intervalMs: 5,
      busy: () => busy,
      maxLagMs: 60_000,
    });
    projector.start();
    await sleep(60);
    expect(state.projected, 'stepped aside after the batch that saw the load').to.equal(2000);
    busy = false;
    await sleep(60);
    await projector.stop();
    expect(state).to.deep.equal({ pending: 0, projected: 5000 });
  });
});
