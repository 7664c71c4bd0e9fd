import { randomUUID } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * One process at a time on a PGlite directory. PGlite keeps the database in its process's memory
 * and writes it back to the directory, so a second process (a CLI next to a running server) works
 * on its own copy and one of them silently overwrites the other's writes. The lock file names the
 * holder and, for a server, the operator socket where the CLI can send its command instead.
 */
export interface LockHolder {
  pid: number;
  /** What holds it: `the server` or the CLI command. */
  role: string;
  /** The running server's operator socket, when the holder is a server that has one. */
  socket?: string;
  since: string;
  /** This acquisition (a reused pid is not the same holder). */
  token?: string;
  /** Linux: the boot and the process's start time, so a pid reused after a crash or reboot is not mistaken for the holder. */
  bootId?: string;
  startTime?: string;
}

export class DatabaseInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The embedded database ${dataDir} is in use by ${holder.role} (process ${holder.pid}, since ${holder.since}). ` +
        `Stop it first, or point PGLITE_DATA_DIR elsewhere, or use a PostgreSQL server (DATABASE_URL). ` +
        `If no Zorgpoort process runs, remove ${join(dataDir, LOCK_FILE)}.`,
    );
    this.name = 'DatabaseInUseError';
  }
}

export interface PgliteLock {
  readonly path: string;
  /** Records the operator socket of the server holding the lock. */
  announce(socket: string): void;
  release(): void;
}

const LOCK_FILE = 'zorgpoort.lock';
/** A lock file or takeover guard younger than this may still be being written. */
const FRESH_MS = 10_000;
/** Tokens of the locks this process holds. */
const held = new Set<string>();

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const bootId = () => readProc('/proc/sys/kernel/random/boot_id')?.trim();

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces). */
function startTime(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderAlive(h: LockHolder): boolean {
  if (h.token && held.has(h.token)) return true;
  if (h.pid === process.pid) return false; // our pid, but not our lock: a previous life's
  if (h.bootId && h.bootId !== bootId()) return false;
  if (!processExists(h.pid)) return false;
  return !h.startTime || h.startTime === startTime(h.pid);
}

const fresh = (path: string) => {
  try {
    return Date.now() - statSync(path).mtimeMs < FRESH_MS;
  } catch {
    return false;
  }
};

/**
 * The live holder of the directory's lock, if any. A lock file that cannot be read yet is taken
 * as held while it is fresh (someone is writing it), and as abandoned after that.
 */
export function readLockHolder(dataDir: string): LockHolder | undefined {
  const path = join(dataDir, LOCK_FILE);
  const text = readProc(path);
  if (text === undefined) return undefined;
  try {
    const holder = JSON.parse(text) as LockHolder;
    if (typeof holder.pid === 'number') return holderAlive(holder) ? holder : undefined;
  } catch {
    // fall through: unreadable
  }
  return fresh(path)
    ? { pid: 0, role: 'another process (its lock is being written)', since: 'now' }
    : undefined;
}

/** Writes the lock file whole: readers see the old file or the new one, never half of one. */
function writeAtomically(path: string, holder: LockHolder): void {
  const temp = `${path}.${process.pid}.${randomUUID()}`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** Runs `fn` while holding the takeover guard, so two processes never both replace a stale lock. */
function withTakeoverGuard<T>(path: string, fn: () => T): T | undefined {
  const guard = `${path}.takeover`;
  try {
    mkdirSync(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (fresh(guard)) return undefined; // someone else is taking over
    rmSync(guard, { recursive: true, force: true });
    return undefined;
  }
  try {
    return fn();
  } finally {
    rmSync(guard, { recursive: true, force: true });
  }
}

/** Takes the directory's lock or throws DatabaseInUseError naming the live holder. */
export function acquirePgliteLock(dataDir: string, role: string): PgliteLock {
  const path = join(dataDir, LOCK_FILE);
  const token = randomUUID();
  const holder: LockHolder = {
    pid: process.pid,
    role,
    since: new Date().toISOString(),
    token,
    ...(bootId() ? { bootId: bootId() } : {}),
    ...(startTime(process.pid) ? { startTime: startTime(process.pid) } : {}),
  };
  const create = () => {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, JSON.stringify(holder));
    } finally {
      closeSync(fd);
    }
  };
  for (let attempt = 0; ; attempt++) {
    try {
      create();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const live = readLockHolder(dataDir);
    if (live) throw new DatabaseInUseError(dataDir, live);
    if (attempt >= 3) {
      throw new Error(`Could not take the lock ${path}; remove it if no Zorgpoort process runs`);
    }
    // A lock left by a process that is gone: replace it, re-checking under the guard.
    const took = withTakeoverGuard(path, () => {
      if (readLockHolder(dataDir)) return false;
      writeAtomically(path, holder);
      return true;
    });
    if (took) break;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // let the other takeover finish
  }
  held.add(token);
  const mine = () => {
    try {
      return (JSON.parse(readFileSync(path, 'utf8')) as LockHolder).token === token;
    } catch {
      return false;
    }
  };
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    held.delete(token);
    process.off('exit', release);
    if (mine()) rmSync(path, { force: true });
  };
  // A crash still frees the directory; a kill -9 leaves a lock whose process is gone (taken over).
  process.on('exit', release);
  return {
    path,
    announce(socket) {
      if (mine()) writeAtomically(path, { ...holder, socket });
    },
    release,
  };
}
