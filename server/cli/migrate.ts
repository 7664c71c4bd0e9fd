import { loadConfig } from '../config.ts';
import { createDatabase } from '../fhir/storage/database.ts';

const config = loadConfig();
const db = createDatabase({ databaseUrl: config.databaseUrl, pgliteDataDir: config.pgliteDataDir });
try {
  await db.migrate();
  console.log(`migrations applied (${db.kind})`);
} finally {
  await db.close();
}
