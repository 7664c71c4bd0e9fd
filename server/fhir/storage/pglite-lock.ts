import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One process at a time on a PGlite directory. PGlite keeps the database in its process's memory
 * and writes it back to the directory, so a second process (a CLI next to a running server) works
 * on its own copy and one of them silently overwrites the other's writes. The lock file names the
 * holder and, for a server, the operator socket where the CLI can send its command instead.
 */
export interface LockHolder {
  pid: number;
  /** What holds it: `server` or the CLI command. */
  role: string;
  /** The running server's operator socket, when the holder is a server that has one. */
  socket?: string;
  since: string;
}

export class DatabaseInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The embedded database ${dataDir} is in use by ${holder.role} (process ${holder.pid}, since ${holder.since}). ` +
        `Stop it first, or point PGLITE_DATA_DIR elsewhere, or use a PostgreSQL server (DATABASE_URL).`,
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLockHolder(dataDir: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' && alive(holder.pid) ? holder : undefined;
  } catch {
    return undefined;
  }
}

function write(path: string, holder: LockHolder, flag: 'wx' | 'w'): void {
  const fd = openSync(path, flag, 0o600);
  try {
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
}

/** Takes the directory's lock or throws DatabaseInUseError naming the live holder. */
export function acquirePgliteLock(dataDir: string, role: string): PgliteLock {
  const path = join(dataDir, LOCK_FILE);
  const holder: LockHolder = { pid: process.pid, role, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      write(path, holder, 'wx');
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const live = readLockHolder(dataDir);
      if (live) throw new DatabaseInUseError(dataDir, live);
      if (attempt > 0)
        throw new Error(`Could not take the lock ${path}; remove it if no Zorgpoort process runs`);
      // A lock left by a process that died: take it over.
      rmSync(path, { force: true });
    }
  }
  let released = false;
  const mine = () => {
    const current = readLockHolder(dataDir);
    return current?.pid === process.pid;
  };
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (mine()) rmSync(path, { force: true });
  };
  // A crash still frees the directory; a kill -9 leaves a lock whose process is gone (taken over).
  process.on('exit', release);
  return {
    path,
    announce(socket) {
      if (mine()) write(path, { ...holder, socket }, 'w');
    },
    release,
  };
}
