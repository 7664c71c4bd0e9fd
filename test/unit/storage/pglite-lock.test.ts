import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  acquirePgliteLock,
  DatabaseInUseError,
  readLockHolder,
} from '../../../server/fhir/storage/pglite-lock.ts';

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('PGlite directory lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pglite-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('one holder at a time; the refusal names the holder and what to do', () => {
    const lock = acquirePgliteLock(dir, 'the server');
    const err = (() => {
      try {
        acquirePgliteLock(dir, 'npm run reindex');
      } catch (e) {
        return e;
      }
    })();
    expect(err).to.be.instanceOf(DatabaseInUseError);
    expect((err as Error).message).to.contain(`in use by the server (process ${process.pid}`);
    expect((err as Error).message).to.match(/Stop it first/);
    lock.release();
    expect(existsSync(lock.path)).to.equal(false);
    acquirePgliteLock(dir, 'npm run reindex').release();
  });

  it('announces the operator socket to whoever reads the lock', () => {
    const lock = acquirePgliteLock(dir, 'the server');
    expect(readLockHolder(dir)).to.not.have.property('socket');
    lock.announce('/run/x.sock');
    expect(readLockHolder(dir)).to.include({ pid: process.pid, socket: '/run/x.sock', role: 'the server' });
    lock.release();
    expect(readLockHolder(dir)).to.equal(undefined);
  });

  it('takes over a lock whose process is gone (a kill -9 or a power cut)', () => {
    const pid = deadPid();
    expect(pid).to.be.greaterThan(0);
    writeFileSync(join(dir, 'zorgpoort.lock'), JSON.stringify({ pid, role: 'the server', since: 'then' }));
    expect(readLockHolder(dir)).to.equal(undefined);
    const lock = acquirePgliteLock(dir, 'the server');
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).to.include({ pid: process.pid });
    lock.release();
  });

  it('a release by someone who lost the lock leaves the new holder alone', () => {
    const lock = acquirePgliteLock(dir, 'the server');
    writeFileSync(lock.path, JSON.stringify({ pid: process.ppid, role: 'another', since: 'now' }));
    lock.release();
    expect(readLockHolder(dir)).to.include({ pid: process.ppid });
  });

  it('a lock naming our own pid that we do not hold is a previous life of this pid (a container restart)', () => {
    const lockFile = join(dir, 'zorgpoort.lock');
    writeFileSync(
      lockFile,
      JSON.stringify({ pid: process.pid, role: 'the server', since: 'then', token: 'old' }),
    );
    expect(readLockHolder(dir)).to.equal(undefined);
    acquirePgliteLock(dir, 'the server').release();
  });

  it('a live pid that started at another time, or in another boot, is not the holder', () => {
    const lockFile = join(dir, 'zorgpoort.lock');
    const other = { pid: process.ppid, role: 'the server', since: 'then' };
    writeFileSync(lockFile, JSON.stringify({ ...other, startTime: '1' }));
    expect(readLockHolder(dir), 'the parent process started later than tick 1').to.equal(undefined);
    writeFileSync(lockFile, JSON.stringify({ ...other, bootId: 'another-boot' }));
    expect(readLockHolder(dir)).to.equal(undefined);
    writeFileSync(lockFile, JSON.stringify(other));
    expect(readLockHolder(dir), 'without those facts, a live pid holds it').to.include({ pid: process.ppid });
  });

  it('an unreadable lock is held while fresh (being written) and abandoned when old', () => {
    const lockFile = join(dir, 'zorgpoort.lock');
    writeFileSync(lockFile, '{"pid": 12');
    expect(() => acquirePgliteLock(dir, 'the server')).to.throw(DatabaseInUseError, /being written/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockFile, old, old);
    acquirePgliteLock(dir, 'the server').release();
  });

  it('announcing rewrites the lock whole, keeping the holder', () => {
    const lock = acquirePgliteLock(dir, 'the server');
    lock.announce('/run/a.sock');
    const written = JSON.parse(readFileSync(lock.path, 'utf8')) as Record<string, unknown>;
    expect(written).to.include({ pid: process.pid, role: 'the server', socket: '/run/a.sock' });
    expect(written.token).to.be.a('string');
    lock.release();
  });
});
