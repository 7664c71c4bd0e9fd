/**
 * What REST-hook Subscriptions cost a write: sequential creates of Task through real HTTP, timed
 * per request, with no Subscription at all, with subscriptions of another type, with Task
 * subscriptions whose criteria do not match, and with matching ones (a job per subscription).
 * `npx tsx bench/subscription-write-cost.ts` (PGlite) or with DATABASE_URL (a throwaway database);
 * PHASES=none runs only the first phase (to compare with a build without the hook).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSearchModule } from '../server/fhir/search/module.ts';
import { activeSubscriptions } from '../server/fhir/subscriptions/notifications.ts';
import { ResourceStore } from '../server/fhir/storage/resource-store.ts';
import { startTestServer } from '../test/support/harness.ts';

const N = Number(process.env.WRITES ?? 400);
const SUBS = Number(process.env.SUBSCRIPTIONS ?? 20);

const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end());
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;

const server = await startTestServer(
  {},
  {
    config: {
      subscriptions: { allowPrivate: true, retryLimit: 1, retryDelaySeconds: 1, timeoutMs: 2000 },
    } as never,
  },
);
const post = (type: string, body: object) =>
  server.fetch(type, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json' },
    body: JSON.stringify({ resourceType: type, ...body }),
  });
const task = {
  status: 'requested',
  intent: 'order',
  owner: { reference: 'Organization/zkh' },
  description: 'bench',
};

async function phase(name: string): Promise<void> {
  for (let i = 0; i < 30; i++) await post('Task', task); // warm-up
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = process.hrtime.bigint();
    const res = await post('Task', task);
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`${res.status}`);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
  const mean = (times.reduce((a, b) => a + b, 0) / times.length).toFixed(2);
  console.log(`${name.padEnd(48)} mean ${mean} ms  p50 ${at(0.5)} ms  p95 ${at(0.95)} ms`);
}

const subscribe = async (criteria: string) => {
  const res = await post('Subscription', {
    status: 'requested',
    reason: 'bench',
    criteria,
    channel: { type: 'rest-hook', endpoint },
  });
  if (res.status !== 201) throw new Error(`Subscription: ${res.status} ${await res.text()}`);
};

/** The write hook's own query, alone (no HTTP, no write): what every write pays for it. */
async function hookQuery(name: string, type: string): Promise<void> {
  const { engine, indexer } = createSearchModule([]);
  const store = new ResourceStore(server.app.db.knex, indexer);
  const find = activeSubscriptions(engine);
  for (let i = 0; i < 100; i++) await find(store, [type]);
  const times: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = process.hrtime.bigint();
    await find(store, [type]);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(48)} p50 ${times[1000]!.toFixed(3)} ms  p95 ${times[1900]!.toFixed(3)} ms (the hook's query alone)`,
  );
}

console.log(`${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, ${N} sequential Task creates per phase`);
await phase('no Subscription');
if (process.env.PHASES !== 'none') await hookQuery('no Subscription', 'Task');
if (process.env.PHASES !== 'none') {
  for (let i = 0; i < SUBS; i++) await subscribe(`Observation?code=x${i}`);
  await phase(`${SUBS} Subscriptions on another type`);
  for (let i = 0; i < SUBS; i++) await subscribe(`Task?owner=Organization/nobody${i}`);
  await phase(`+ ${SUBS} on Task, criteria not matching`);
  for (let i = 0; i < SUBS; i++) await subscribe('Task?owner=Organization/zkh');
  await phase(`+ ${SUBS} on Task matching (a job each)`);
  await hookQuery(`${3 * SUBS} Subscriptions, ${2 * SUBS} on Task`, 'Task');
  await hookQuery(`${3 * SUBS} Subscriptions, none on Patient`, 'Patient');
}
await server.close();
sink.close();
