/**
 * `npm run readme:quickstart`: runs the README's quick start exactly as written, on the embedded
 * database and on PostgreSQL (DATABASE_URL names the server; a throwaway database is made), so a
 * README change that breaks it fails CI. The server block runs in the background as a person
 * would run it in a first terminal; the client block runs once the server answers /readyz.
 * It works in the repository root (the blocks use relative paths), with the embedded database
 * in a temporary directory; it refuses to run over a key.json or client.json that exists there.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createThrowawayDatabase } from '../test/support/harness.ts';

const root = new URL('../', import.meta.url).pathname;
const README = readFileSync(join(root, 'README.md'), 'utf8');
const READY_URL = 'http://127.0.0.1:8080/readyz';
const WRITES = ['key.json', 'client.json'];

/** The fenced sh block right after `<!-- quickstart:NAME -->`. */
function block(name: string): string {
  const match = new RegExp(`<!-- quickstart:${name} -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(README);
  if (!match) throw new Error(`README.md has no \`\`\`sh block after <!-- quickstart:${name} -->`);
  return match[1]!;
}

/** Settings a developer's shell may carry that would move the server off what the README says. */
const UNSET = [
  'PORT',
  'HOST',
  'BASE_URL',
  'DEV_LOGIN',
  'SEARCH_PARAMETER_FILES',
  'TLS_CERT_FILE',
  'TLS_KEY_FILE',
];
const groups = new Set<number>();

function bash(script: string, env: NodeJS.ProcessEnv, background = false): ChildProcess {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: root,
    env,
    detached: background,
    stdio: background ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'inherit'],
  });
  if (background && child.pid) groups.add(child.pid);
  return child;
}

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

// The runner stopped from outside must not leave a server holding port 8080.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const pid of groups) if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
    process.exit(1);
  });
}

async function portTaken(): Promise<boolean> {
  try {
    await fetch(READY_URL);
    return true;
  } catch {
    return false;
  }
}

async function waitReady(server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server block exited (${server.exitCode}):\n${log()}`);
    try {
      if ((await fetch(READY_URL)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the server did not answer ${READY_URL} within 4 minutes:\n${log()}`);
}

async function stop(server: ChildProcess): Promise<void> {
  const pid = server.pid;
  if (pid === undefined || !groupAlive(pid)) return;
  process.kill(-pid, 'SIGINT'); // the whole group: bash, npm and the server
  const deadline = Date.now() + 20_000;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
  groups.delete(pid);
}

/** The block ends with the search: it must return the Patient the block's POST created. */
function checkOutput(out: string, label: string): void {
  const lines = out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const parse = (line: string | undefined) => {
    try {
      return JSON.parse(line ?? '') as {
        resourceType?: string;
        id?: string;
        type?: string;
        entry?: { resource?: { id?: string } }[];
      };
    } catch {
      return {};
    }
  };
  const search = parse(lines.at(-1));
  const created = parse(lines.at(-2));
  if (created.resourceType !== 'Patient' || !created.id) {
    throw new Error(`the quick start's POST did not answer with the new Patient on ${label}`);
  }
  if (search.type !== 'searchset' || !search.entry?.some((e) => e.resource?.id === created.id)) {
    throw new Error(
      `the search at the end of the quick start did not find Patient/${created.id} on ${label}`,
    );
  }
}

async function runOnce(label: string, extraEnv: NodeJS.ProcessEnv): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  for (const name of UNSET) delete env[name];
  console.log(`== quick start on ${label}`);
  if (await portTaken()) throw new Error(`something already answers on ${READY_URL}: stop it first`);
  const server = bash(block('server'), env, true);
  let serverLog = '';
  server.stdout!.on('data', (d: Buffer) => (serverLog += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (serverLog += d.toString()));
  try {
    await waitReady(server, () => serverLog);
    const client = bash(block('client'), env);
    let out = '';
    client.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number>((r) => client.once('exit', (c) => r(c ?? 1)));
    console.log(out.trim().split('\n').slice(-2).join('\n').slice(0, 600));
    if (code !== 0) throw new Error(`the client block failed (exit ${code}) on ${label}`);
    checkOutput(out, label);
    console.log(`ok: quick start on ${label}`);
  } finally {
    await stop(server);
    for (const f of WRITES) rmSync(join(root, f), { force: true });
  }
}

/** `npm install` in the block must find the lock as committed: a change means it was stale. */
function lockUnchanged(): void {
  try {
    execFileSync('git', ['diff', '--quiet', '--', 'package-lock.json'], { cwd: root });
  } catch {
    throw new Error("the quick start's npm install changed package-lock.json: commit the updated lock");
  }
}

async function main(): Promise<number> {
  const present = WRITES.filter((f) => existsSync(join(root, f)));
  if (present.length) {
    console.error(
      `${present.join(' and ')} exist in ${root}; the quick start would overwrite them. Move them away first.`,
    );
    return 2;
  }
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    console.error('DATABASE_URL is not set: the PostgreSQL run of the quick start needs it');
    return 1;
  }
  const lockWasClean = (() => {
    try {
      execFileSync('git', ['diff', '--quiet', '--', 'package-lock.json'], { cwd: root });
      return true;
    } catch {
      return false;
    }
  })();
  const dataDir = mkdtempSync(join(tmpdir(), 'quickstart-'));
  try {
    await runOnce('the embedded database (PGlite)', {
      PGLITE_DATA_DIR: join(dataDir, 'pglite'),
      DATABASE_URL: '',
    });
    const db = await createThrowawayDatabase(adminUrl);
    try {
      await runOnce('PostgreSQL', { DATABASE_URL: db.url, PGLITE_DATA_DIR: join(dataDir, 'unused') });
    } finally {
      await db.drop();
    }
    if (lockWasClean) lockUnchanged();
    return 0;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
