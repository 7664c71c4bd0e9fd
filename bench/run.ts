/**
 * npm run bench [-- --quick] [-- --pglite] [-- --profile]
 *
 * Runs Zorgpoort and a baseline server (bench/baseline-server.ts: the least an express server
 * can do for the same work on the same database) as separate processes, puts the same load on
 * both with autocannon, and reports every workload in absolute figures and as a ratio to its
 * baseline, so results compare across machines. Between phases: CHECKPOINT + VACUUM ANALYZE.
 * Writes bench/results/<date>.json and prints Markdown tables (the README's Performance section).
 *
 * Postgres: DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres);
 * a throwaway database is created there and dropped afterwards. --pglite runs both servers on
 * in-memory PGlite instead (each its own; reported separately, no postgres CPU or VACUUM).
 * --profile writes a V8 CPU profile of the server to bench/results/profiles/; --only=gate,search,
 * everything,history,mixed,hl7,portal runs just those phases after ingest and read (for profiling one).
 *
 * The `portal` phase (issue 16, Postgres only) stops the server, writes a database of 100,000
 * patients of two hospitals (2,000 with --quick, a smoke run; --portal-patients=N for another size) straight
 * into Postgres with the server's indexer, starts the server again and measures the hospital
 * portal's calls (patient search by each criterion, the dossier's overview views, a 12-month lab
 * series) by a GP practice's system client through the gate, with the access log on, against the
 * same caller's `GET Patient/[id]`. Last in the run, so the other phases keep their small database.
 *
 * Zorgpoort is called as a hospital system would: a backend client registered with the CLI,
 * a bearer token on every request, so authentication is part of every figure. The baseline has
 * no authentication. With --pglite, both servers' PGlite live in temporary directories (the CLI
 * registers the client in Zorgpoort's before the server opens it).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createThrowawayDatabase } from '../test/support/harness.ts';
import { bearerSource, registerWithCli } from './lib/backend-token.ts';
import { loadBundles, patientFacts, random, type PatientFacts } from './lib/dataset.ts';
import { runLoad, type LoadResult, type Request } from './lib/load.ts';
import { freePort, postgresCpuMs, startProcess, type MeasuredProcess } from './lib/processes.ts';
import { HL7_SENDER, oruMessage, oruTransaction, sendOverMllp } from './lib/hl7.ts';
import { portalTable, table, targetTable, targets, type Row, type Side } from './lib/report.ts';
import {
  PORTAL_TARGETS,
  PORTAL_WORKLOADS,
  callerPractice,
  generatePortalDatabase,
  meanEntries,
  pathOf,
  portalRequests,
  scanDelta,
  seqScans,
} from './lib/portal.ts';
import { practiceOrg } from './lib/portal-dataset.ts';
import { SEARCHES, cycle, mixedRequests, searchRequests } from './lib/workloads.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const usePglite = argv.includes('--pglite');
/** --only=gate,search,everything,history,mixed,hl7,portal: just these phases (ingest and read always run). */
const only = argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const want = (phase: string) => !only || only.includes(phase);
const portalPatients = Number(argv.find((a) => a.startsWith('--portal-patients='))?.split('=')[1] ?? 0);
const mode = quick
  ? { patients: 30, warmupPatients: 3, seconds: 3, warmup: 1, ingestClients: 4, portalPatients: 2_000 }
  : { patients: 100, warmupPatients: 5, seconds: 20, warmup: 5, ingestClients: 4, portalPatients: 100_000 };
if (portalPatients > 0) mode.portalPatients = portalPatients;
const root = new URL('../', import.meta.url);
const resultsDir = new URL('bench/results/', root);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
mkdirSync(new URL('profiles/', resultsDir), { recursive: true });

const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const database = usePglite ? undefined : await createThrowawayDatabase(adminUrl);
// Both servers' PGlite on disk when --pglite (the CLI needs Zorgpoort's on disk; the same for both keeps it fair).
const pgliteDir = usePglite ? mkdtempSync(join(os.tmpdir(), 'zorgpoort-bench-')) : undefined;
const baselineDir = usePglite ? mkdtempSync(join(os.tmpdir(), 'zorgpoort-bench-baseline-')) : undefined;
const processes: MeasuredProcess[] = [];
let exitCode = 0;
try {
  const dbEnv = { DATABASE_URL: database?.url ?? '', PGLITE_DATA_DIR: 'memory://' };
  const zorgEnv = { ...dbEnv, ...(pgliteDir ? { PGLITE_DATA_DIR: pgliteDir } : {}) };
  const scope = 'system/*.cruds';
  const client = registerWithCli(zorgEnv, scope, 'bench', { trusted: true });
  // The HL7 v2 listener, for the `hl7` phase: the bench client is the laboratory's sender.
  const hl7Port = await freePort();
  const startZorgpoort = (log = 'server', extra: Record<string, string> = {}) =>
    startProcess({
      script: 'server/main.ts',
      env: {
        ...zorgEnv,
        ...extra,
        LOG_LEVEL: 'info',
        HL7_MLLP_PORT: String(hl7Port),
        HL7_MLLP_SENDERS: `${HL7_SENDER.application}^${HL7_SENDER.facility}=${client.clientId}@127.0.0.1`,
      },
      logFile: new URL(`${stamp}-${log}.log`, resultsDir).pathname,
      readyPath: '/metadata',
      nodeArgs: argv.includes('--profile')
        ? ['--cpu-prof', `--cpu-prof-dir=${new URL('profiles/', resultsDir).pathname}`]
        : [],
    });
  // Restarted by the portal phase, which writes its database with the server stopped.
  let zorg = await startZorgpoort();
  processes.push(zorg);
  const zorgAuth = bearerSource(zorg.url, client, scope);
  /** The headers a request to `url` needs: Zorgpoort's bearer token, nothing for the baseline. */
  const auth = async (url: string): Promise<Record<string, string>> =>
    url.startsWith(zorg.url) ? { authorization: await zorgAuth() } : {};
  const base = await startProcess({
    script: 'bench/baseline-server.ts',
    env: { ...dbEnv, ...(baselineDir ? { PGLITE_DATA_DIR: baselineDir } : {}) },
    logFile: new URL(`${stamp}-baseline.log`, resultsDir).pathname,
    readyPath: '/ready',
  });
  processes.push(base);
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, zorg.rssMiB().now);
    } catch {
      // between the portal phase's stop and restart
    }
  }, 250);

  const maintenance = async () => {
    if (!database) return; // PGlite lives inside the server process; see after ingest
    const client = new pg.Client(database.url);
    await client.connect();
    // The access log's background projection of the phase just measured runs on after it;
    // the next phase starts when it is done, so it does not pay for the one before.
    for (let i = 0; i < 600; i++) {
      const { rows } = await client.query<{ n: number }>('select count(*)::int as n from audit_log');
      if (rows[0]!.n === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await client.query('checkpoint');
    await client.query('vacuum analyze');
    await client.end();
  };

  /** Runs `work` and adds the CPU it cost `proc` and postgres, per unit of work done. */
  async function measured<T>(proc: MeasuredProcess, work: () => Promise<T>, units: (r: T) => number) {
    const pgCpu = () => (database ? postgresCpuMs() : null);
    const [cpu0, pg0] = [proc.cpuMs(), pgCpu()];
    const result = await work();
    const [cpu1, pg1] = [proc.cpuMs(), pgCpu()];
    const u = Math.max(1, units(result));
    return {
      result,
      nodeCpuMs: (cpu1 - cpu0) / u,
      postgresCpuMs: pg0 === null || pg1 === null ? null : (pg1 - pg0) / u,
    };
  }

  // (a) Ingest: transaction Bundles from several clients at once.
  const bundles = loadBundles(mode.patients);
  const bodies = bundles.map((b) => JSON.stringify(b));
  const ids: string[][] = [];
  const baseIds: string[][] = [];
  const post = async (url: string, from: number, to: number, clients: number, into: string[][]) => {
    let next = from;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < to) {
          const i = next++;
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/fhir+json', ...(await auth(url)) },
            body: bodies[i],
          });
          if (!res.ok) throw new Error(`ingest of bundle ${i} to ${url}: ${res.status} ${await res.text()}`);
          const json = (await res.json()) as { ids?: string[]; entry?: { response: { location: string } }[] };
          into[i] = json.ids ?? json.entry!.map((e) => idOf(e.response.location));
        }
      }),
    );
    return bundles.slice(from, to).reduce((s, b) => s + b.entry!.length, 0);
  };
  const rows: Row[] = [];
  const ingestSide = async (proc: MeasuredProcess, into: string[][]): Promise<Side> => {
    await post(proc.url, 0, mode.warmupPatients, 1, into);
    await maintenance();
    const t = performance.now();
    const m = await measured(
      proc,
      () => post(proc.url, mode.warmupPatients, bundles.length, mode.ingestClients, into),
      (n) => n,
    );
    const perSecond = m.result / ((performance.now() - t) / 1000);
    return { perSecond, nodeCpuMs: m.nodeCpuMs, postgresCpuMs: m.postgresCpuMs };
  };
  const ingestZ = await ingestSide(zorg, ids);
  await maintenance();
  const ingestB = await ingestSide(base, baseIds);
  rows.push({
    workload: 'ingest',
    clients: mode.ingestClients,
    zorgpoort: ingestZ,
    baseline: { name: 'multi-row INSERT', ...ingestB },
    ratio: ingestZ.perSecond / ingestB.perSecond,
    note: `${bundles.length - mode.warmupPatients} transactions, resources/s`,
  });
  await maintenance();
  // PGlite has no autovacuum: the server analyzes changed tables every 30 s
  // (server/fhir/storage/pglite-analyze.ts). Wait for a round, as a running server would have.
  if (!database) await new Promise((r) => setTimeout(r, 31_000));

  const patients: PatientFacts[] = bundles.map((b, i) => patientFacts(b, ids[i]!));
  const rnd = random(3);
  const sample = Array.from({ length: 2000 }, () => {
    const b = Math.floor(rnd() * bundles.length);
    const e = Math.floor(rnd() * bundles[b]!.entry!.length);
    const type = bundles[b]!.entry![e]!.resource!.resourceType;
    return { zorg: `/${type}/${ids[b]![e]!}`, base: `/${type}/${baseIds[b]![e]!}` };
  });

  const load = async (
    proc: MeasuredProcess,
    clients: number,
    next: () => Request,
    headers: Record<string, string> | undefined = undefined,
  ) => {
    headers ??= await auth(proc.url);
    await runLoad({ url: proc.url, connections: clients, seconds: mode.warmup, headers, next });
    const m = await measured(
      proc,
      () => runLoad({ url: proc.url, connections: clients, seconds: mode.seconds, headers, next }),
      (r: LoadResult) => r.requests,
    );
    if (m.result.failures) {
      exitCode = 1;
      console.error(`${m.result.failures} failed requests against ${proc.url}`);
    }
    const side: Side = {
      perSecond: m.result.requestsPerSecond,
      p50: m.result.p50,
      p95: m.result.p95,
      p99: m.result.p99,
      nodeCpuMs: m.nodeCpuMs,
      postgresCpuMs: m.postgresCpuMs,
    };
    return side;
  };

  /** One workload on Zorgpoort against one baseline figure measured in this run. */
  const compare = (workload: string, clients: number, z: Side, b: Side, note?: string) =>
    rows.push({
      workload,
      clients,
      zorgpoort: z,
      baseline: { name: 'primary-key fetch', ...b },
      ratio: z.perSecond / b.perSecond,
      note,
    });

  let gatedSearch: Side | undefined;
  // (b) Read by id, against the bare primary-key fetch of the same resources.
  const baselineRead = new Map<number, Side>();
  for (const clients of [1, 32]) {
    const z = cycle(sample, 1);
    const b = cycle(sample, 1);
    const zs = await load(zorg, clients, () => ({ path: z().zorg }));
    await maintenance();
    const bs = await load(base, clients, () => ({ path: b().base }));
    baselineRead.set(clients, bs);
    compare('read by id', clients, zs, bs);
    await maintenance();
  }

  if (want('gate')) {
    // (b2) The same reads by a gated caller: a system client of an organisation with a treatment
    // relationship (an active EpisodeOfCare) with every patient, so the gate decides each
    // request (one statement) and its criteria go into the read, against the same figures of
    // the trusted client (gate bypassed) and the baseline.
    const org = 'bench-hospital';
    const episodes = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'Organization', id: org, name: 'Bench hospital' },
          request: { method: 'PUT', url: `Organization/${org}` },
        },
        ...patients.map((p) => ({
          resource: {
            resourceType: 'EpisodeOfCare',
            status: 'active',
            patient: { reference: `Patient/${p.id}` },
            managingOrganization: { reference: `Organization/${org}` },
          },
          request: { method: 'POST', url: 'EpisodeOfCare' },
        })),
      ],
    };
    const res = await fetch(zorg.url, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', ...(await auth(zorg.url)) },
      body: JSON.stringify(episodes),
    });
    if (!res.ok) throw new Error(`gate setup: ${res.status} ${await res.text()}`);
    const gated = registerWithCli(zorgEnv, scope, 'bench gated', { organization: `Organization/${org}` });
    const gatedAuth = { authorization: await bearerSource(zorg.url, gated, scope)() };
    const probe = await fetch(`${zorg.url}${sample[0]!.zorg}`, { headers: gatedAuth });
    if (!probe.ok) throw new Error(`the gated client cannot read ${sample[0]!.zorg}: ${probe.status}`);
    await maintenance();
    // The same server with gate and log switched off (Postgres only: a second process on the
    // same database): the trusted client, on a server whose access log keeps nothing.
    const unlogged = new Map<number, Side>();
    if (database) {
      const reference = await startProcess({
        script: 'bench/unlogged-server.ts',
        env: { ...zorgEnv, LOG_LEVEL: 'info' },
        logFile: new URL(`${stamp}-unlogged.log`, resultsDir).pathname,
        readyPath: '/metadata',
      });
      processes.push(reference);
      const referenceAuth = { authorization: await bearerSource(reference.url, client, scope)() };
      for (const clients of [1, 32]) {
        const z = cycle(sample, 1);
        const side = await load(reference, clients, () => ({ path: z().zorg }), referenceAuth);
        unlogged.set(clients, side);
        compare('read by id, no gate and no log', clients, side, baselineRead.get(clients)!, 'same server');
        await maintenance();
      }
      await reference.stop();
      processes.splice(processes.indexOf(reference), 1);
    }
    for (const clients of [1, 32]) {
      const z = cycle(sample, 1);
      const zs = await load(zorg, clients, () => ({ path: z().zorg }), gatedAuth);
      const trusted = rows.find((r) => r.workload === 'read by id' && r.clients === clients)!;
      const off = unlogged.get(clients);
      compare(
        'read by id, gated',
        clients,
        zs,
        baselineRead.get(clients)!,
        `${(zs.perSecond / trusted.zorgpoort.perSecond).toFixed(2)} of the trusted client` +
          (off ? `, ${(zs.perSecond / off.perSecond).toFixed(2)} of no gate and no log` : ''),
      );
      await maintenance();
    }
    if (database) {
      // The gated reads again on a server whose access-log indexing never steps aside
      // (AUDIT_PROJECTION_MAX_LAG_SECONDS=0): what load lasting longer than the lag bound costs.
      const eager = await startProcess({
        script: 'server/main.ts',
        env: { ...zorgEnv, LOG_LEVEL: 'info', AUDIT_PROJECTION_MAX_LAG_SECONDS: '0' },
        logFile: new URL(`${stamp}-eager.log`, resultsDir).pathname,
        readyPath: '/metadata',
      });
      processes.push(eager);
      const eagerAuth = { authorization: await bearerSource(eager.url, gated, scope)() };
      const z = cycle(sample, 1);
      const zs = await load(eager, 32, () => ({ path: z().zorg }), eagerAuth);
      const off = unlogged.get(32)!;
      compare(
        'read by id, gated, log indexed without waiting',
        32,
        zs,
        baselineRead.get(32)!,
        `${(zs.perSecond / off.perSecond).toFixed(2)} of no gate and no log`,
      );
      await eager.stop();
      processes.splice(processes.indexOf(eager), 1);
      await maintenance();
    }
    const kind = 'Observation?patient&code';
    if (SEARCHES[kind]) {
      const zs = await load(zorg, 1, searchRequests(kind, patients), gatedAuth);
      gatedSearch = zs;
      await maintenance();
    }
  }

  if (want('search')) {
    // (c) Searches, one client, each over every patient in turn.
    for (const kind of Object.keys(SEARCHES)) {
      const found = await meanMatches(
        zorg.url,
        patients.slice(0, 10).map(SEARCHES[kind]!),
        await auth(zorg.url),
      );
      const zs = await load(zorg, 1, searchRequests(kind, patients));
      compare(kind, 1, zs, baselineRead.get(1)!, `${found} per page`);
      if (gatedSearch && kind === 'Observation?patient&code') {
        compare(
          `${kind}, gated`,
          1,
          gatedSearch,
          baselineRead.get(1)!,
          `p50 ${((gatedSearch.p50 ?? 0) / (zs.p50 ?? 1)).toFixed(2)} × the trusted client's`,
        );
      }
      await maintenance();
    }
  }

  if (want('everything')) {
    // (d) $everything for the median patient, the whole record in one page.
    const median = [...patients].sort((a, b) => a.compartmentSize - b.compartmentSize)[patients.length >> 1]!;
    const everything = `/Patient/${median.id}/$everything?_count=1000`;
    const everythingSize = await meanMatches(zorg.url, [everything], await auth(zorg.url));
    compare(
      'Patient/$everything',
      1,
      await load(zorg, 1, () => ({ path: everything })),
      baselineRead.get(1)!,
      `${everythingSize} resources`,
    );
    await maintenance();
  }

  if (want('history')) {
    // (e) Instance history: 20 patients updated 10 times each, their history read in turn.
    const historyPatients = patients.slice(0, 20);
    for (const p of historyPatients) {
      for (let v = 0; v < 10; v++) {
        const headers = await auth(zorg.url);
        const current = (await (await fetch(`${zorg.url}/Patient/${p.id}`, { headers })).json()) as {
          active?: boolean;
        };
        const res = await fetch(`${zorg.url}/Patient/${p.id}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/fhir+json', ...headers },
          body: JSON.stringify({ ...current, active: !current.active }),
        });
        if (!res.ok) throw new Error(`update for history failed: ${res.status}`);
      }
    }
    await maintenance();
    const historyOf = cycle(historyPatients, 5);
    compare(
      'Patient/[id]/_history',
      1,
      await load(zorg, 1, () => ({ path: `/Patient/${historyOf().id}/_history` })),
      baselineRead.get(1)!,
      '11 versions',
    );
    await maintenance();
  }

  if (want('mixed')) {
    // (f) Mixed: 70% read, 20% search, 10% create, 32 clients.
    compare(
      'mixed read/search/create',
      32,
      await load(
        zorg,
        32,
        mixedRequests(
          sample.map((s) => s.zorg),
          patients,
        ),
      ),
      baselineRead.get(32)!,
      '70/20/10',
    );
  }

  if (want('hl7')) {
    // (g) HL7 v2: ORU^R01 with 10 results over MLLP (each message waits for its ACK), against the
    // same content POSTed as the FHIR transactions the mappers make of it, over 1 and 4
    // connections. Messages per second; each one a transaction of 12 resources.
    let counter = 0;
    const until = (deadline: number) => () => (performance.now() < deadline ? counter++ : undefined);
    const messagesFor = (deadline: number) => {
      const n = until(deadline);
      return () => {
        const i = n();
        return i === undefined ? undefined : oruMessage(i, mode.patients);
      };
    };
    const mllp = async (connections: number, seconds: number) => {
      const deadline = performance.now() + seconds * 1000;
      const t = performance.now();
      const runs = await Promise.all(
        Array.from({ length: connections }, () => sendOverMllp(hl7Port, messagesFor(deadline))),
      );
      const sent = runs.reduce((s, r) => s + r.sent, 0);
      const failed = runs.reduce((s, r) => s + r.failed, 0);
      if (failed) {
        exitCode = 1;
        console.error(`${failed} HL7 messages not acknowledged AA`);
      }
      return { sent, seconds: (performance.now() - t) / 1000 };
    };
    const rest = async (connections: number, seconds: number) => {
      const deadline = performance.now() + seconds * 1000;
      const n = until(deadline);
      const t = performance.now();
      let sent = 0;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          for (let i = n(); i !== undefined; i = n()) {
            const res = await fetch(zorg.url, {
              method: 'POST',
              headers: { 'content-type': 'application/fhir+json', ...(await auth(zorg.url)) },
              body: oruTransaction(i, mode.patients),
            });
            if (!res.ok)
              throw new Error(`REST transaction of message ${i}: ${res.status} ${await res.text()}`);
            await res.arrayBuffer();
            sent++;
          }
        }),
      );
      return { sent, seconds: (performance.now() - t) / 1000 };
    };
    await mllp(1, mode.warmup);
    await maintenance();
    for (const connections of [1, 4]) {
      const h = await measured(
        zorg,
        () => mllp(connections, mode.seconds),
        (r) => r.sent,
      );
      await maintenance();
      const r = await measured(
        zorg,
        () => rest(connections, mode.seconds),
        (x) => x.sent,
      );
      await maintenance();
      const side = (m: typeof h): Side => ({
        perSecond: m.result.sent / m.result.seconds,
        nodeCpuMs: m.nodeCpuMs,
        postgresCpuMs: m.postgresCpuMs,
      });
      rows.push({
        workload: 'HL7 v2 ORU^R01 (10 OBX) over MLLP',
        clients: connections,
        zorgpoort: side(h),
        baseline: { name: 'the same content as REST transactions', ...side(r) },
        ratio: side(h).perSecond / side(r).perSecond,
        note: 'messages/s; the baseline is Zorgpoort itself over HTTP',
      });
    }
  }

  let portal: Record<string, unknown> | undefined;
  if (want('portal') && !database) console.log('portal phase: Postgres only, skipped with --pglite');
  if (want('portal') && database) {
    // (h) The hospital portal on a database of 100,000 patients (2,000 with --quick), written
    // with the server stopped, then the portal's calls by a GP practice's system client.
    peakRss = Math.max(peakRss, zorg.rssMiB().peak);
    await zorg.stop();
    processes.splice(processes.indexOf(zorg), 1);
    console.log(`portal: writing ${mode.portalPatients} patients into ${database.url}`);
    const loadBefore = os.loadavg()[0]!;
    const generated = await generatePortalDatabase(database.url, mode.portalPatients, new Date());
    console.log(
      `portal: ${generated.resources} resources in ${generated.seconds.toFixed(0)} s ` +
        `(vacuum analyze ${generated.analyzeSeconds.toFixed(0)} s), database ${generated.databaseMiB.toFixed(0)} MiB`,
    );
    // Deployed as for the portal: the hospitals disclose only approved rows (ACCESS_APPROVED_ONLY).
    zorg = await startZorgpoort('portal-server', {
      ACCESS_APPROVED_ONLY: 'Organization/zgt,Organization/mst',
    });
    processes.push(zorg);
    const practice = callerPractice(generated.patients);
    const mine = generated.patients.filter((p) => p.practice === practice);
    const gp = registerWithCli(zorgEnv, scope, 'bench GP practice', {
      organization: `Organization/${practiceOrg(practice)}`,
    });
    const gpToken = bearerSource(zorg.url, gp, scope);
    const pgStats = new pg.Client(database.url);
    await pgStats.connect();
    const workloads: Record<string, unknown>[] = [];
    let baselineSide: Side | undefined;
    try {
      await maintenance();
      for (const w of PORTAL_WORKLOADS) {
        const of = mine.filter(w.applies);
        if (of.length === 0) throw new Error(`portal: no patient of practice ${practice} for ${w.name}`);
        const headers = { authorization: await gpToken() };
        const path = pathOf(w);
        // Proof it answers what it should: the patient found, the record's rows shown.
        const found =
          w.group === 'baseline' ? 1 : await meanEntries(zorg.url, of.slice(0, 20).map(path), headers);
        if (w.group === 'search' && found < 1)
          throw new Error(`portal: ${w.name} finds nothing: ${path(of[0]!)}`);
        const scansBefore = await seqScans((sql) => pgStats.query(sql));
        const side = await load(zorg, 1, portalRequests(w, mine), headers);
        await maintenance();
        // The server's backends report their counters once idle for a second; the maintenance took longer.
        const scans = scanDelta(scansBefore, await seqScans((sql) => pgStats.query(sql)));
        baselineSide ??= side;
        const target = PORTAL_TARGETS[w.group];
        rows.push({
          workload: w.name,
          clients: 1,
          zorgpoort: side,
          baseline: { name: 'Patient/[id], same caller', ...baselineSide },
          ratio: side.perSecond / baselineSide.perSecond,
          note: `${of.length} patients, ${w.group === 'baseline' ? '' : `${found} ${w.group === 'search' ? 'found' : 'entries'}, `}seq scans: ${scans}`,
          phase: 'portal',
          ...(target === undefined ? {} : { p50Target: target }),
        });
        workloads.push({
          name: w.name,
          via: w.via,
          example: path(of[0]!),
          patients: of.length,
          found,
          seqScans: scans,
        });
      }
    } finally {
      await pgStats.end();
    }
    portal = {
      patients: mode.portalPatients,
      resources: generated.resources,
      byType: generated.byType,
      generationSeconds: Math.round(generated.seconds),
      vacuumAnalyzeSeconds: Math.round(generated.analyzeSeconds),
      databaseMiB: Math.round(generated.databaseMiB),
      caller: `system client of Organization/${practiceOrg(practice)} (not trusted), ${mine.length} patients`,
      // Other work on the machine shows in every figure: the 1-minute load average before and after.
      loadAverage: [loadBefore, os.loadavg()[0]!].map((l) => +l.toFixed(1)),
      workloads,
    };
  }

  clearInterval(sampler);
  const peak = Math.max(peakRss, zorg.rssMiB().peak);
  const result = {
    date: new Date().toISOString(),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim(),
    database: usePglite ? 'pglite' : 'postgres',
    quick,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    rows,
    peakRssMiB: peak,
    targets: targets(rows, peak),
    ...(portal ? { portal } : {}),
  };
  writeFileSync(new URL(`${stamp}.json`, resultsDir), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\n${table(rows)}\n\n${targetTable(result.targets)}\n`);
  if (portal) {
    console.log(
      `Hospital portal (${portal.patients as number} patients${quick ? ', --quick' : ''}, ` +
        `${portal.resources as number} resources, written in ${portal.generationSeconds as number} s, ` +
        `${portal.databaseMiB as number} MiB; caller: ${portal.caller as string}; ` +
        `load average ${(portal.loadAverage as number[]).join(' → ')} on ${os.cpus().length} cores):\n\n${portalTable(rows)}\n`,
    );
  }
  console.log(`written to bench/results/${stamp}.json`);
} finally {
  for (const p of processes) await p.stop().catch(() => undefined);
  await database?.drop();
  for (const dir of [pgliteDir, baselineDir]) if (dir) rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);

/** Mean number of matches (search mode) on the first page of these searches: proof they find something. */
async function meanMatches(url: string, paths: string[], headers: Record<string, string>): Promise<number> {
  let total = 0;
  for (const path of paths) {
    const res = await fetch(url + path, { headers });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    const bundle = (await res.json()) as { entry?: { search?: { mode?: string } }[] };
    total += (bundle.entry ?? []).filter((e) => e.search?.mode !== 'outcome').length;
  }
  return Math.round(total / paths.length);
}

/** The id in a transaction response's `Location` (`[base/]Type/id/_history/n`). */
function idOf(location: string): string {
  const parts = location.split('/');
  return parts[parts.indexOf('_history') - 1]!;
}
