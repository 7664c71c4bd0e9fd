/**
 * The benchmark's ceiling: the least an express server can do for the same work, on the same
 * database and driver (knex over pg, or PGlite) as Zorgpoort.
 *   POST /          a transaction Bundle → one multi-row INSERT of its resources (ids in order)
 *   GET /:type/:id  a primary-key fetch of the stored text
 * No validation, no references, no search index, no versions, no logging. Its table is its
 * own, so it never touches Zorgpoort's data.
 */
import express from 'express';
import { randomUUID } from 'node:crypto';
import { createDatabase } from '../server/fhir/storage/database.ts';

const db = createDatabase({
  databaseUrl: process.env.DATABASE_URL || undefined,
  pgliteDataDir: process.env.PGLITE_DATA_DIR || 'memory://',
});
const knex = db.knex;
await knex.raw(`
  create table if not exists bench_baseline (
    resource_type text not null,
    id text not null,
    content text not null,
    primary key (resource_type, id)
  )`);

const app = express();
app.use(express.text({ type: '*/*', limit: '100mb' }));
app.get('/ready', (_req, res) => {
  res.send('ok');
});
app.post('/', async (req, res) => {
  const bundle = JSON.parse(req.body as string) as { entry: { resource: { resourceType: string } }[] };
  const rows = bundle.entry.map((e) => ({
    resource_type: e.resource.resourceType,
    id: randomUUID(),
    content: JSON.stringify(e.resource),
  }));
  await knex.transaction(async (trx) => {
    for (let i = 0; i < rows.length; i += 1000) await trx('bench_baseline').insert(rows.slice(i, i + 1000));
  });
  res.json({ ids: rows.map((r) => r.id) });
});
app.get('/:type/:id', async (req, res) => {
  const row = (await knex('bench_baseline')
    .select('content')
    .where({ resource_type: req.params.type, id: req.params.id })
    .first()) as { content: string } | undefined;
  if (!row) {
    res.status(404).end();
    return;
  }
  res.type('application/fhir+json').send(row.content);
});

const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void db.close().then(() => process.exit(0));
});
