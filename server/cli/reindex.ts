import { loadConfig } from '../config.ts';
import { createSearchModule } from '../fhir/search/module.ts';
import { createDatabase } from '../fhir/storage/database.ts';
import { ResourceStore } from '../fhir/storage/resource-store.ts';

/**
 * `npm run reindex [-- ResourceType]`: recomputes the search index of every live resource
 * (or of one type) with the current SearchParameters — run it after adding or changing one.
 * Works in small transactions, so the server can keep running; a search during the run may
 * miss resources not yet re-indexed for a new parameter.
 */
const resourceType = process.argv[2];
const config = loadConfig();
const db = createDatabase({ databaseUrl: config.databaseUrl, pgliteDataDir: config.pgliteDataDir });
try {
  await db.migrate();
  const { indexer } = createSearchModule(config.searchParameterFiles);
  const store = new ResourceStore(db.knex, indexer);
  let after: string | undefined = '0';
  let batches = 0;
  const started = Date.now();
  while ((after = await store.reindexBatch(after, 500, resourceType)) !== undefined) {
    if (++batches % 20 === 0) console.log(`re-indexed up to rid ${after}`);
  }
  console.log(
    `re-index done (${db.kind}${resourceType ? `, ${resourceType}` : ''}) in ${Date.now() - started} ms`,
  );
} finally {
  await db.close();
}
