/**
 * `npm run readme:quickstart`: runs the README's quick start exactly as written, on the embedded
 * database and on PostgreSQL (DATABASE_URL names the server; a throwaway database is made), so a
 * README change that breaks it fails CI. The server block runs in the background as a person
 * would run it in a first terminal; the client block runs once the server answers /readyz.
 * It works in the repository root (the blocks use relative paths), with the embedded database
 * in a temporary directory; it refuses to run over a key.json or client.json that exists there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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

function bash(script: string, env: NodeJS.ProcessEnv, background = false): ChildProcess {
  return spawn('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: root,
    env,
    detached: background,
    stdio: background ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'inherit'],
  });
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
  if (server.exitCode !== null || server.pid === undefined) return;
  const exited = new Promise((r) => server.once('exit', r));
  process.kill(-server.pid, 'SIGINT'); // the whole group: bash, npm and the server
  const timer = setTimeout(() => server.pid && process.kill(-server.pid, 'SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

async function runOnce(label: string, extraEnv: NodeJS.ProcessEnv): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  console.log(`== quick start on ${label}`);
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
    console.log(out.trim().split('\n').slice(-3).join('\n').slice(0, 600));
    if (code !== 0) throw new Error(`the client block failed (exit ${code}) on ${label}`);
    // The block ends with the search: it must have found the patient the block created.
    if (!/"resourceType":\s*"Bundle"/.test(out) || !/Jansen/.test(out.split('\n').slice(-5).join('\n'))) {
      throw new Error(`the search at the end of the quick start did not find the new patient on ${label}`);
    }
    console.log(`ok: quick start on ${label}`);
  } finally {
    await stop(server);
    for (const f of WRITES) rmSync(join(root, f), { force: true });
  }
}

const present = WRITES.filter((f) => existsSync(join(root, f)));
if (present.length) {
  console.error(
    `${present.join(' and ')} exist in ${root}; the quick start would overwrite them. Move them away first.`,
  );
  process.exit(2);
}
const dataDir = mkdtempSync(join(tmpdir(), 'quickstart-'));
try {
  const pgEnv = { PGLITE_DATA_DIR: join(dataDir, 'pglite'), DATABASE_URL: '' };
  await runOnce('the embedded database (PGlite)', pgEnv);
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    console.error('DATABASE_URL is not set: the PostgreSQL run of the quick start needs it');
    process.exit(1);
  }
  const db = await createThrowawayDatabase(adminUrl);
  try {
    await runOnce('PostgreSQL', { DATABASE_URL: db.url });
  } finally {
    await db.drop();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
