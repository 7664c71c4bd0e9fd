/** The benchmark's table and its targets, as Markdown (pasted as-is into the README). */

export interface Side {
  /** Requests/s, or resources/s for ingest. */
  perSecond: number;
  p50?: number;
  p95?: number;
  p99?: number;
  /** CPU ms per request (per resource for ingest) of the node process and of postgres. */
  nodeCpuMs?: number;
  postgresCpuMs?: number | null;
}

export interface Row {
  workload: string;
  clients: number;
  zorgpoort: Side;
  baseline: Side & { name: string };
  /** zorgpoort.perSecond / baseline.perSecond: the share of the ceiling reached. */
  ratio: number;
  note?: string;
  /** Rows of the `portal` phase go in their own table (portalTable). */
  phase?: 'portal';
  /** The issue's p50 limit for this workload, in ms. */
  p50Target?: number;
}

export interface Target {
  target: string;
  measured: string;
  met: boolean;
}

const n = (v: number | undefined | null, digits = 0) =>
  v === undefined || v === null || Number.isNaN(v)
    ? '–'
    : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function table(rows: Row[]): string {
  const lines = [
    '| workload | clients | Zorgpoort /s | p50 ms | p99 ms | baseline /s | baseline p50 | ratio | node CPU ms | pg CPU ms |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rows.filter((x) => x.phase !== 'portal')) {
    lines.push(
      `| ${r.workload}${r.note ? ` (${r.note})` : ''} | ${r.clients} | ${n(r.zorgpoort.perSecond)} | ${n(r.zorgpoort.p50, 2)} | ${n(r.zorgpoort.p99, 2)} | ${n(r.baseline.perSecond)} | ${n(r.baseline.p50, 2)} | ${n(r.ratio, 2)} | ${n(r.zorgpoort.nodeCpuMs, 2)} | ${n(r.zorgpoort.postgresCpuMs, 2)} |`,
    );
  }
  return lines.join('\n');
}

export function targets(rows: Row[], peakRssMiB: number): Target[] {
  const row = (w: string, clients?: number) =>
    rows.find((r) => r.workload === w && (clients === undefined || r.clients === clients));
  const out: Target[] = [];
  const ingest = row('ingest');
  if (ingest)
    out.push({
      target: 'ingest ≥ 2,000 resources/s',
      measured: `${n(ingest.zorgpoort.perSecond)}/s`,
      met: ingest.zorgpoort.perSecond >= 2000,
    });
  const read32 = row('read by id', 32);
  if (read32)
    out.push({
      target: 'read by id, 32 clients: ≥ 40% of baseline, p99 ≤ 20 ms',
      measured: `${n(read32.ratio * 100)}%, p99 ${n(read32.zorgpoort.p99, 1)} ms`,
      met: read32.ratio >= 0.4 && (read32.zorgpoort.p99 ?? Infinity) <= 20,
    });
  const gated = row('read by id, gated', 32);
  if (gated)
    out.push({
      target: 'read by id through the gate, 32 clients: ≥ 40% of baseline, p99 ≤ 20 ms',
      measured: `${n(gated.ratio * 100)}%, p99 ${n(gated.zorgpoort.p99, 1)} ms`,
      met: gated.ratio >= 0.4 && (gated.zorgpoort.p99 ?? Infinity) <= 20,
    });
  const off = row('read by id, no gate and no log', 32);
  if (gated && off)
    out.push({
      target: 'read by id through gate and log, 32 clients: ≥ 70% of the same server without both',
      measured: `${n((gated.zorgpoort.perSecond / off.zorgpoort.perSecond) * 100)}%`,
      met: gated.zorgpoort.perSecond / off.zorgpoort.perSecond >= 0.7,
    });
  const hl7 = row('HL7 v2 ORU^R01 (10 OBX) over MLLP', 1);
  if (hl7)
    out.push({
      target: 'HL7 v2 ORU^R01 with 10 OBX over one MLLP connection ≥ 300 messages/s',
      measured: `${n(hl7.zorgpoort.perSecond)}/s (${n(hl7.ratio, 2)} of the same content over REST)`,
      met: hl7.zorgpoort.perSecond >= 300,
    });
  const search = row('Observation?patient&code', 1);
  const gatedSearch = row('Observation?patient&code, gated', 1);
  if (search && gatedSearch)
    out.push({
      target: '`Observation?patient&code` through the gate: p50 ≤ 1.30 × the trusted client',
      measured: `× ${n((gatedSearch.zorgpoort.p50 ?? Infinity) / (search.zorgpoort.p50 ?? 1), 2)}`,
      met: (gatedSearch.zorgpoort.p50 ?? Infinity) <= 1.3 * (search.zorgpoort.p50 ?? 0),
    });
  const p50 = (w: string, limit: number, label: string) => {
    const r = row(w);
    if (r)
      out.push({
        target: `${label} p50 ≤ ${limit} ms`,
        measured: `${n(r.zorgpoort.p50, 2)} ms`,
        met: (r.zorgpoort.p50 ?? Infinity) <= limit,
      });
  };
  p50('Observation?patient&code', 5, '`Observation?patient&code`');
  p50('Patient?identifier=BSN', 3, 'Patient by BSN');
  p50('Patient/$everything', 50, '`$everything`');
  for (const r of rows) {
    if (r.phase !== 'portal' || r.p50Target === undefined) continue;
    out.push({
      target: `portal: ${r.workload} p50 ≤ ${r.p50Target} ms`,
      measured: `${n(r.zorgpoort.p50, 2)} ms`,
      met: (r.zorgpoort.p50 ?? Infinity) <= r.p50Target,
    });
  }
  out.push({ target: 'server RSS < 1 GiB', measured: `${n(peakRssMiB)} MiB peak`, met: peakRssMiB < 1024 });
  return out;
}

export function targetTable(list: Target[]): string {
  return [
    '| target | measured | met |',
    '|---|---|---|',
    ...list.map((t) => `| ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
  ].join('\n');
}

/** The `portal` phase: one connection, latency percentiles, the gated `Patient/[id]` read as baseline. */
export function portalTable(rows: Row[]): string {
  const lines = [
    '| workload | calls/s | p50 ms | p95 ms | p99 ms | baseline p50 ms | ratio /s | p50 ratio | target p50 | met | note |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|',
  ];
  for (const r of rows.filter((x) => x.phase === 'portal')) {
    const z = r.zorgpoort;
    const met = r.p50Target === undefined ? '' : (z.p50 ?? Infinity) <= r.p50Target ? 'yes' : '**no**';
    lines.push(
      `| ${r.workload} | ${n(z.perSecond, z.perSecond < 10 ? 1 : 0)} | ${n(z.p50, 2)} | ${n(z.p95, 2)} | ${n(z.p99, 2)} | ${n(r.baseline.p50, 2)} | ${n(r.ratio, 2)} | ${n((z.p50 ?? NaN) / (r.baseline.p50 ?? NaN), 2)} | ${r.p50Target === undefined ? '' : `≤ ${r.p50Target} ms`} | ${met} | ${r.note ?? ''} |`,
    );
  }
  return lines.join('\n');
}
