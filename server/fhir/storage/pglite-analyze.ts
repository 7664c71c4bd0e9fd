import type { Knex } from 'knex';

/**
 * PGlite runs Postgres in one process without autovacuum, so nothing ever ANALYZEs its tables
 * and the planner keeps its empty-table guesses: on the benchmark data
 * `Observation?patient&code` took 171 ms instead of 4. This does autovacuum's analyze part:
 * every interval, tables changed by more than 50 rows + 10% since their last analyze are
 * analyzed.
 */
export function startAutoAnalyze(knex: Knex, intervalMs: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void analyzeChanged(knex)
      .catch(() => undefined) // a failed round is retried at the next interval
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

export async function analyzeChanged(knex: Knex): Promise<string[]> {
  // Table statistics reach pg_stat_user_tables only when flushed, which one process may never do.
  await knex.raw('select pg_stat_force_next_flush()');
  const { rows } = (await knex.raw(
    `select s.relname from pg_stat_user_tables s join pg_class c on c.oid = s.relid
     where s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)`,
  )) as { rows: { relname: string }[] };
  for (const { relname } of rows) await knex.raw('analyze ??', [relname]);
  return rows.map((r) => r.relname);
}
