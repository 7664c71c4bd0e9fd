import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import type { CommandContext } from './command.ts';
import { operatorCommands } from './commands/index.ts';
import { eventOutput, type OutputEvent } from './output.ts';

/**
 * The running server's door for the CLI on an embedded database. PGlite is one process's
 * database, so `npm run clients|reindex|seed` beside a running server send their command here
 * and the server carries it out on its own connection. The socket lives in a directory only the
 * server's user may enter (0700): whoever can connect could read the database files anyway.
 */
export interface OperatorSocket {
  path: string;
  /** Stops taking commands and waits up to `graceMs` for the running ones. */
  close(graceMs?: number): Promise<void>;
}

/** Unix socket paths are limited to about 104 bytes; a deep data directory gets one in tmp. */
const MAX_SOCKET_PATH = 100;

function socketDirectory(dataDir: string): { dir: string; temporary: boolean } {
  const dir = join(resolve(dataDir), '.operator');
  if (Buffer.byteLength(join(dir, 'sock')) <= MAX_SOCKET_PATH) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Not a symlink, and ours: else someone else could listen in or redirect the chmod.
    const stat = lstatSync(dir);
    if (!stat.isDirectory() || stat.uid !== process.getuid?.()) {
      throw new Error(`${dir} is not a directory of this user; remove it`);
    }
    chmodSync(dir, 0o700);
    return { dir, temporary: false };
  }
  const tag = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12);
  return { dir: mkdtempSync(join(tmpdir(), `zorgpoort-${tag}-`)), temporary: true };
}

export interface CommandRequest {
  command: string;
  input: unknown;
}

async function serve(socket: Socket, context: Omit<CommandContext, 'out'>, logger: Logger) {
  const send = (event: OutputEvent) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(event)}\n`);
  };
  const lines = createInterface({ input: socket });
  const first = await new Promise<string | undefined>((done) => {
    lines.once('line', done);
    lines.once('close', () => done(undefined));
  });
  lines.close();
  if (first === undefined) return;
  const out = eventOutput(send);
  let code = 1;
  try {
    const request = JSON.parse(first) as Partial<CommandRequest> | null;
    const name = typeof request?.command === 'string' ? request.command : '';
    const command = Object.hasOwn(operatorCommands, name) ? operatorCommands[name] : undefined;
    if (!command) out.note(`unknown command ${JSON.stringify(name)}`);
    else {
      const input = command.parse(request?.input);
      logger.info({ command: name }, 'operator command from the CLI');
      code = await command.execute(input as never, { ...context, out });
    }
  } catch (err) {
    out.note(err instanceof Error ? err.message : String(err));
    logger.warn({ err }, 'operator command failed');
  }
  send({ type: 'exit', code });
  socket.end();
}

export async function startOperatorSocket(
  dataDir: string,
  context: Omit<CommandContext, 'out'>,
  logger: Logger,
): Promise<OperatorSocket> {
  const { dir, temporary } = socketDirectory(dataDir);
  const path = join(dir, 'sock');
  // Only the lock holder gets here, so a socket file left behind is a dead server's.
  rmSync(path, { force: true });
  const sockets = new Set<Socket>();
  const running = new Set<Promise<void>>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const work = serve(socket, context, logger).finally(() => running.delete(work));
    running.add(work);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(path, () => done());
  });
  chmodSync(path, 0o600);
  return {
    path,
    async close(graceMs = 10_000) {
      // No new commands; the running ones finish (within the grace) before the database closes.
      const closed = new Promise((done) => server.close(done));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...running]),
        new Promise((done) => (timer = setTimeout(done, graceMs))),
      ]);
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
      await closed;
      rmSync(temporary ? dir : path, { recursive: true, force: true });
    },
  };
}
