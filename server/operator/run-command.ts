import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { loadConfig, type Config } from '../config.ts';
import { createDatabase } from '../fhir/storage/database.ts';
import { DatabaseInUseError, readLockHolder, type LockHolder } from '../fhir/storage/pglite-lock.ts';
import { startServer } from '../server.ts';
import type { OperatorCommand } from './command.ts';
import type { CommandRequest } from './operator-socket.ts';
import { replayEvents, terminalOutput, type Output, type OutputEvent } from './output.ts';

/** Sends the command to the server holding the embedded database and shows what it reports. */
async function forward(socketPath: string, request: CommandRequest, out: Output): Promise<number> {
  const socket = connect(socketPath);
  try {
    await new Promise<void>((done, fail) => {
      socket.once('connect', done);
      socket.once('error', fail);
    });
  } catch (err) {
    throw new Error(
      `The server holding the database does not answer on ${socketPath} (${(err as Error).message}); ` +
        `if it is still starting, try again in a moment`,
    );
  }
  // Ctrl-C leaves the command to the server, which cannot be interrupted halfway safely.
  const interrupted = () => {
    out.note('stopped following; the command goes on in the server (its log says how it ends)');
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  socket.write(`${JSON.stringify(request)}\n`);
  const replay = replayEvents(out);
  try {
    for await (const line of createInterface({ input: socket })) {
      const code = replay(JSON.parse(line) as OutputEvent);
      if (code !== undefined) return code;
    }
  } finally {
    process.off('SIGINT', interrupted);
  }
  out.note('the server closed the connection before the command finished (was it stopped?)');
  return 1;
}

/** A server that holds the directory but has not opened its socket yet is still starting. */
async function holderOnceStarted(dir: string): Promise<LockHolder | undefined> {
  const deadline = Date.now() + 60_000;
  let holder = readLockHolder(dir);
  while (holder && !holder.socket && holder.role === 'the server' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    holder = readLockHolder(dir);
  }
  return holder;
}

async function runHere<I>(
  command: OperatorCommand<I>,
  input: I,
  config: Config,
  out: Output,
): Promise<number> {
  const role = `npm run ${command.name}`;
  if (command.needs === 'server') {
    // A private server on a free port: the command works through the API like any client.
    const { baseUrl: _public, tls: _tls, ...local } = config;
    const serverConfig = { ...local, port: 0, host: '127.0.0.1' };
    const server = await startServer(serverConfig, {
      logger: pino({ level: 'error' }),
      databaseRole: role,
      operatorSocket: false,
    });
    try {
      return await command.execute(input, {
        config: serverConfig,
        db: server.app.db,
        out,
        serverUrl: server.url,
      });
    } finally {
      await server.stop();
    }
  }
  const db = createDatabase({ databaseUrl: config.databaseUrl, pgliteDataDir: config.pgliteDataDir, role });
  try {
    await db.migrate();
    return await command.execute(input, { config, db, out });
  } finally {
    await db.close();
  }
}

/**
 * Runs a database command from the command line. On PostgreSQL, and on an embedded database no
 * one holds, it runs in this process; on an embedded database a server holds, the server runs it
 * (server/operator/operator-socket.ts), so its effect is there at once and no second process opens
 * the files. Sets the exit code; never throws.
 */
export async function runCommand<I>(command: OperatorCommand<I>, input: I): Promise<void> {
  const out = terminalOutput();
  try {
    const config = loadConfig();
    const dir =
      config.databaseUrl || config.pgliteDataDir.startsWith('memory://') ? undefined : config.pgliteDataDir;
    const holder = dir ? await holderOnceStarted(dir) : undefined;
    if (holder?.socket) {
      out.note(`(${holder.role} on ${dir}, process ${holder.pid}, runs this command)`);
      process.exitCode = await forward(holder.socket, { command: command.name, input }, out);
    } else if (holder) {
      throw new DatabaseInUseError(dir!, holder);
    } else {
      process.exitCode = await runHere(command, input, config, out);
    }
  } catch (err) {
    out.note(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}
