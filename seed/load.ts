/**
 * npm run seed — loads demo data into the configured database (PGLITE_DATA_DIR or DATABASE_URL)
 * through the real REST path: a server on a free port, each bundle POSTed as a transaction.
 * Today the demo data are the ten Synthea patients of test/fixtures/synthea; Dutch care-network
 * data (collectives, plans, consents) joins it as those features land.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { pino } from 'pino';
import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/server.ts';

const dir = new URL('../test/fixtures/synthea/', import.meta.url);
const config = { ...loadConfig(), port: 0, host: '127.0.0.1' };
const server = await startServer(config, { logger: pino({ level: 'warn' }) });
let resources = 0;
try {
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/fhir+json' },
      body: readFileSync(new URL(file, dir)),
    });
    const body = (await res.json()) as { entry?: unknown[]; issue?: { diagnostics?: string }[] };
    if (!res.ok) throw new Error(`${file}: ${res.status} ${body.issue?.[0]?.diagnostics ?? ''}`);
    resources += body.entry?.length ?? 0;
    console.log(`${file}: ${body.entry?.length ?? 0} resources`);
  }
  console.log(`seeded ${resources} resources into ${server.app.db.kind}`);
} finally {
  await server.stop();
}
