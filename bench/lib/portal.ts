/**
 * The `portal` phase's database and workloads (issue 16): the database is written straight into
 * Postgres (server stopped) by ResourceStore.insertNew with the server's indexer and access
 * facts; the workloads are the portal's calls by a GP practice's system client, through the gate.
 */
import { withAccessFacts } from '../../server/access/facts/index-facts.ts';
import { createSearchModule } from '../../server/fhir/search/module.ts';
import { createDatabase } from '../../server/fhir/storage/database.ts';
import { ResourceStore } from '../../server/fhir/storage/resource-store.ts';
import type { Resource } from '../../server/fhir/storage/types.ts';
import { cycle } from './workloads.ts';
import {
  BSN_SYSTEM,
  HB,
  NUMBER_SYSTEM,
  PRACTICES,
  directory,
  patientBatch,
  type PortalPatient,
} from './portal-dataset.ts';

const q = encodeURIComponent;
const BATCH = 500;

export interface Generated {
  patients: PortalPatient[];
  resources: number;
  byType: Record<string, number>;
  seconds: number;
  analyzeSeconds: number;
  databaseMiB: number;
}

/** Writes the portal database of `n` patients into the (migrated) database at `url`. */
export async function generatePortalDatabase(url: string, n: number, now: Date): Promise<Generated> {
  const db = createDatabase({ databaseUrl: url, pgliteDataDir: 'memory://', poolMax: 3 });
  try {
    await db.migrate();
    const { indexer } = createSearchModule();
    const store = new ResourceStore(db.knex, withAccessFacts(indexer));
    const started = performance.now();
    const byType: Record<string, number> = {};
    const count = (items: { resourceType: string }[]) => {
      for (const it of items) byType[it.resourceType] = (byType[it.resourceType] ?? 0) + 1;
      return items.length;
    };
    const dir = directory();
    let resources = count(dir);
    await store.transaction((s) =>
      s.insertNew(dir as { resourceType: string; id: string; resource: Resource }[]),
    );
    const patients: PortalPatient[] = new Array(n);
    let next = 0;
    let lastReport = performance.now();
    // Two writers: one builds and indexes a batch in Node while Postgres stores the other's.
    const writer = async () => {
      for (let from = next; from < n; from = next) {
        next = Math.min(n, from + BATCH);
        const batch = patientBatch(from, next, now);
        batch.patients.forEach((p, k) => (patients[from + k] = p));
        resources += count(batch.items);
        await store.transaction((s) =>
          s.insertNew(batch.items as { resourceType: string; id: string; resource: Resource }[]),
        );
        if (performance.now() - lastReport > 15_000) {
          lastReport = performance.now();
          console.log(`  portal database: ${next}/${n} patients, ${resources} resources`);
        }
      }
    };
    await Promise.all([writer(), writer()]);
    const seconds = (performance.now() - started) / 1000;
    const a = performance.now();
    await db.knex.raw('vacuum analyze');
    const analyzeSeconds = (performance.now() - a) / 1000;
    const { rows } = (await db.knex.raw('select pg_database_size(current_database())::bigint as b')) as {
      rows: { b: string }[];
    };
    return {
      patients,
      resources,
      byType,
      seconds,
      analyzeSeconds,
      databaseMiB: Number(rows[0]!.b) / 2 ** 20,
    };
  } finally {
    await db.close();
  }
}

/** The practice whose patients the caller asks for: the one with the most 12-month series it may see. */
export function callerPractice(patients: PortalPatient[]): number {
  const score = new Array<number>(PRACTICES).fill(0);
  for (const p of patients) score[p.practice]! += p.series && p.permit ? 1000 : p.permit ? 1 : 0;
  return score.indexOf(Math.max(...score));
}

/**
 * One portal workload: a path per patient, over the patients it applies to. `via` picks the
 * plain FHIR search or the portal's operation (`Patient/$portal-search`); a search workload is
 * measured once per entry of the list its line gives (search(…, ['fhir', 'operation'])), so
 * dropping one side is a one-line change.
 */
export interface PortalWorkload {
  name: string;
  group: 'search' | 'overview' | 'lab-series' | 'baseline';
  /** Which patients of the practice it asks for. */
  applies: (p: PortalPatient) => boolean;
  fhir: (p: PortalPatient) => string;
  operation?: (p: PortalPatient) => string;
  via: 'fhir' | 'operation';
}

const search = (
  name: string,
  applies: PortalWorkload['applies'],
  fhir: PortalWorkload['fhir'],
  operation: PortalWorkload['operation'],
  via: PortalWorkload['via'][] = ['fhir', 'operation'],
): PortalWorkload[] =>
  via.map((v) => ({
    name: `${name}${v === 'operation' ? ' ($portal-search)' : ''}`,
    group: 'search',
    applies,
    fhir,
    operation,
    via: v,
  }));
const view = (code: string): PortalWorkload => ({
  name: `$portal-view ${code}`,
  group: 'overview',
  applies: (p) => p.permit,
  fhir: (p) => `/Patient/${p.id}/$portal-view?view=${code}`,
  via: 'fhir',
});

export const OVERVIEW_VIEWS = ['allergies', 'conditions', 'medication', 'laboratory', 'appointments'];

export const PORTAL_WORKLOADS: PortalWorkload[] = [
  {
    name: 'Patient/[id] (gated read)',
    group: 'baseline',
    applies: () => true,
    fhir: (p) => `/Patient/${p.id}`,
    via: 'fhir',
  },
  ...search(
    'patient search: patient number',
    () => true,
    (p) => `/Patient?identifier=${q(`${NUMBER_SYSTEM(p.hospital)}|${p.number}`)}`,
    (p) => `/Patient/$portal-search?patient-number=${q(p.number)}`,
  ),
  ...search(
    'patient search: BSN',
    () => true,
    (p) => `/Patient?identifier=${q(`${BSN_SYSTEM}|${p.bsn}`)}`,
    (p) => `/Patient/$portal-search?bsn=${p.bsn}`,
  ),
  ...search(
    'patient search: own name, birth date, gender',
    () => true,
    (p) => `/Patient?own-name=${q(p.ownName)}&birthdate=${p.birthDate}&gender=${p.gender}`,
    (p) => `/Patient/$portal-search?name=${q(p.ownName)}&birthdate=${p.birthDate}&gender=${p.gender}`,
  ),
  ...search(
    'patient search: partner name, birth date, gender',
    (p) => p.partnerName !== undefined,
    (p) => `/Patient?partner-name=${q(p.partnerName!)}&birthdate=${p.birthDate}&gender=${p.gender}`,
    (p) =>
      `/Patient/$portal-search?partner-name=${q(p.partnerName!)}&birthdate=${p.birthDate}&gender=${p.gender}`,
  ),
  ...search(
    'patient search: postcode, house number',
    () => true,
    (p) => `/Patient?address-postalcode=${p.postcode}&address-housenumber=${p.houseNumber}`,
    (p) => `/Patient/$portal-search?postcode=${p.postcode}&house-number=${p.houseNumber}`,
  ),
  ...OVERVIEW_VIEWS.map(view),
  {
    name: '$portal-lab-series 718-7, 12 months',
    group: 'lab-series',
    applies: (p) => p.permit && p.series,
    fhir: (p) => `/Patient/${p.id}/$portal-lab-series?code=${q(HB)}`,
    via: 'fhir',
  },
];

/** The targets of issue 16, per group (p50, ms). */
export const PORTAL_TARGETS: Record<PortalWorkload['group'], number | undefined> = {
  search: 5,
  overview: 20,
  'lab-series': 10,
  baseline: undefined,
};

export function pathOf(w: PortalWorkload): (p: PortalPatient) => string {
  return w.via === 'operation' && w.operation ? w.operation : w.fhir;
}

/** The workload's paths over `patients` in a fixed shuffled order. */
export function portalRequests(w: PortalWorkload, patients: PortalPatient[]): () => { path: string } {
  const path = pathOf(w);
  const next = cycle(patients.filter(w.applies), 17);
  return () => ({ path: path(next()) });
}

/** Sequential scans of `resource` and the idx_ tables so far (pg_stat_user_tables). */
export async function seqScans(
  query: (sql: string) => Promise<{ rows: { relname: string; seq_scan: string }[] }>,
) {
  const { rows } = await query(
    `select relname, seq_scan from pg_stat_user_tables where relname = 'resource' or relname like 'idx\\_%'`,
  );
  return new Map(rows.map((r) => [r.relname, Number(r.seq_scan)]));
}

export function scanDelta(before: Map<string, number>, after: Map<string, number>): string {
  const grown = [...after]
    .filter(([t, n]) => n > (before.get(t) ?? 0))
    .map(([t, n]) => `${t} +${n - (before.get(t) ?? 0)}`);
  return grown.length ? grown.join(', ') : 'none';
}

/** Mean entries (not outcomes) of these calls' Bundles, to one decimal: proof they answer something. */
export async function meanEntries(
  url: string,
  paths: string[],
  headers: Record<string, string>,
): Promise<number> {
  let total = 0;
  for (const path of paths) {
    const res = await fetch(url + path, { headers });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    const bundle = (await res.json()) as { entry?: { search?: { mode?: string } }[] };
    total += (bundle.entry ?? []).filter((e) => e.search?.mode !== 'outcome').length;
  }
  return Math.round((total / paths.length) * 10) / 10;
}
