import { expect } from 'chai';
import { createDatabase, type Database } from '../../../server/fhir/storage/database.ts';
import { analyzeChanged } from '../../../server/fhir/storage/pglite-analyze.ts';

describe('PGlite auto-analyze (PGlite has no autovacuum)', function () {
  this.timeout(60_000);
  let db: Database;
  before(async () => {
    db = createDatabase({ pgliteDataDir: 'memory://' });
    await db.migrate();
  });
  after(() => db.close());

  it('analyzes a table once enough rows changed, so the planner sees them, and leaves it alone after', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({
      resource_type: 'Patient',
      id: `p${i}`,
      version_id: 1,
      last_updated: new Date(),
      content: '{}',
    }));
    await db.knex('resource').insert(rows);
    const estimate = async () =>
      Number(
        (
          (await db.knex.raw(`select reltuples from pg_class where relname = 'resource'`)) as {
            rows: { reltuples: number }[];
          }
        ).rows[0]!.reltuples,
      );
    expect(await estimate()).to.be.lessThan(1);
    expect(await analyzeChanged(db.knex)).to.include('resource');
    expect(await estimate()).to.equal(500);
    expect(await analyzeChanged(db.knex)).to.not.include('resource');
  });
});
