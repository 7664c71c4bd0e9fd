/**
 * npm run bench [-- --quick] — ingest and read-by-id, each against a baseline measured in the
 * same run on the same database, so the ratios compare across machines:
 *   ingest baseline: the same resources as multi-row INSERTs straight into the tables;
 *   read baseline:   a bare express handler doing the same primary-key fetch.
 * Uses DATABASE_URL (a throwaway database is created on that server) or in-memory PGlite.
 * The full workload set (search, $everything, mixed load, CPU/RSS) belongs to the benchmark issue.
 */
import express from 'express';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer } from '../test/support/harness.ts';

const quick = process.argv.includes('--quick');
const readSeconds = quick ? 3 : 10;
const dir = new URL('../test/fixtures/synthea/', import.meta.url);
const bundles = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => readFileSync(new URL(f, dir), 'utf8'));

const server = await startTestServer();
const knex = server.app.db.knex;
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  database: server.app.db.kind,
  quick,
};

// Ingest: transactions through the server vs raw multi-row INSERT of the same resources.
let resources = 0;
let t = performance.now();
for (const body of bundles) {
  const res = await fetch(server.base, {
    method: 'POST',
    headers: { 'Content-Type': 'application/fhir+json' },
    body,
  });
  if (!res.ok) throw new Error(`ingest failed: ${res.status}`);
  resources += ((await res.json()) as { entry: unknown[] }).entry.length;
}
const ingestMs = performance.now() - t;
const rows = bundles.flatMap((b) =>
  (JSON.parse(b) as { entry: { resource: { resourceType: string } }[] }).entry.map((e) => ({
    resource_type: e.resource.resourceType,
    id: randomUUID(),
    version_id: 1,
    last_updated: new Date(),
    content: JSON.stringify(e.resource),
  })),
);
t = performance.now();
for (let i = 0; i < rows.length; i += 500) {
  const chunk = rows.slice(i, i + 500);
  await knex.transaction(async (trx) => {
    const ids = await trx('resource').insert(chunk).returning(['rid']);
    await trx('resource_version').insert(
      chunk.map((r, k) => ({ ...r, rid: (ids[k] as { rid: string }).rid, method: 'POST' })),
    );
  });
}
const baselineIngestMs = performance.now() - t;
results.ingest = {
  resources,
  resourcesPerSecond: Math.round(resources / (ingestMs / 1000)),
  baselinePerSecond: Math.round(rows.length / (baselineIngestMs / 1000)),
  ratio: +(baselineIngestMs / ingestMs).toFixed(3),
};

// Read by id: the server's read vs a bare express PK fetch on the same knex.
const ids = (
  (await knex('resource')
    .select('resource_type', 'id')
    .where({ resource_type: 'Observation' })
    .limit(500)) as {
    resource_type: string;
    id: string;
  }[]
).map((r) => `${r.resource_type}/${r.id}`);
const bare = express();
bare.get('/:type/:id', async (req, res) => {
  const row = await knex('resource')
    .select('content')
    .where({ resource_type: req.params.type, id: req.params.id })
    .first();
  res.type('application/fhir+json').send(row.content);
});
const bareServer = createServer(bare).listen(0, '127.0.0.1');
await new Promise((r) => bareServer.once('listening', r));
const bareBase = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`;

async function load(base: string, clients: number, seconds: number) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = c; performance.now() < end; i += clients) {
        const s = performance.now();
        const res = await fetch(`${base}/${ids[i % ids.length]}`);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`read failed: ${res.status}`);
        latencies.push(performance.now() - s);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    +latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(2);
  return { requestsPerSecond: Math.round(latencies.length / seconds), p50: pct(0.5), p99: pct(0.99) };
}
for (const clients of [1, 16]) {
  await load(server.base, clients, 1); // warm-up
  await load(bareBase, clients, 1);
  const fhir = await load(server.base, clients, readSeconds);
  const baseline = await load(bareBase, clients, readSeconds);
  results[`read_${clients}_clients`] = {
    fhir,
    baseline,
    ratio: +(fhir.requestsPerSecond / baseline.requestsPerSecond).toFixed(3),
  };
}
bareServer.close();
await server.close();

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/${results.date as string}.json`.replace(/:/g, '-'), import.meta.url);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.table(
  Object.fromEntries(
    Object.entries(results)
      .filter(([, v]) => typeof v === 'object')
      .map(([k, v]) => [k, flatten(v as Record<string, unknown>)]),
  ),
);
console.log(`written to ${file.pathname}`);

function flatten(o: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o).flatMap(([k, v]) =>
      v && typeof v === 'object'
        ? Object.entries(flatten(v as Record<string, unknown>, `${prefix}${k}.`))
        : [[`${prefix}${k}`, v]],
    ),
  );
}
