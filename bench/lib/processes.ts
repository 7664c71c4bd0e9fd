/**
 * The processes a benchmark measures: the Zorgpoort server and the baseline server, each a
 * child `node` process, and the PostgreSQL server. CPU time and memory come from /proc, so
 * the figures are the kernel's, not the process's own view.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const TICK_MS = 10; // USER_HZ is 100 on Linux (getconf CLK_TCK)

/** user + system CPU of one process in ms; with `children`, also that of its reaped children. */
function cpuOf(pid: number | string, children = false): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
  return ticks * TICK_MS;
}

/**
 * CPU ms of every `postgres` process, counting exited backends through the postmaster's
 * reaped-children time, so a backend that ends mid-phase is not lost. Null without /proc or
 * when no postgres runs here (PGlite, or a remote server).
 */
export function postgresCpuMs(): number | null {
  let total = 0;
  let found = false;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
        total += cpuOf(pid, true);
        found = true;
      } catch {
        // the process ended while we looked
      }
    }
  } catch {
    return null;
  }
  return found ? total : null;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

export interface MeasuredProcess {
  url: string;
  pid: number;
  cpuMs(): number;
  /** Resident memory now and the process's peak so far (VmHWM), in MiB. */
  rssMiB(): { now: number; peak: number };
  stop(): Promise<void>;
}

function memory(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { now: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

/** Starts `node --import tsx <script>` with `env`, logging to `logFile`; resolves once `readyPath` answers 200. */
export async function startProcess(options: {
  script: string;
  env: Record<string, string>;
  logFile: string;
  readyPath: string;
  nodeArgs?: string[];
}): Promise<MeasuredProcess> {
  const port = await freePort();
  const log = createWriteStream(options.logFile);
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', options.script],
    {
      env: { ...process.env, ...options.env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(r, 200, 'wait'))]);
    if (early !== 'wait')
      throw new Error(`${options.script} exited (${String(early)}); see ${options.logFile}`);
    const ok = await fetch(url + options.readyPath).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${options.script} did not start; see ${options.logFile}`);
  }
  const pid = child.pid!;
  return {
    url,
    pid,
    cpuMs: () => cpuOf(pid),
    rssMiB: () => memory(pid),
    async stop() {
      child.kill('SIGTERM');
      await exited;
      log.end();
    },
  };
}
