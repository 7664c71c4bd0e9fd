import type { Config } from '../config.ts';
import type { Database } from '../fhir/storage/database.ts';
import type { Output } from './output.ts';

/**
 * A CLI command that writes to the database. Its input is plain JSON, prepared from the command
 * line (and any files it names) by the CLI, so the command can run in the CLI's own process or,
 * on an embedded database a server holds, inside that server (server/operator/operator-socket.ts).
 */
export interface OperatorCommand<I = unknown> {
  name: string;
  /** `database`: the database alone; `server`: also a running server's URL (it works through the API). */
  needs: 'database' | 'server';
  /** Checks input that arrived over the operator socket (throws with the reason). */
  parse(input: unknown): I;
  /** Does the work; returns the exit code. Throwing is exit code 1 with the message. */
  execute(input: I, context: CommandContext): Promise<number>;
}

export interface CommandContext {
  config: Config;
  db: Database;
  out: Output;
  /** The server's own URL (commands that need `server`). */
  serverUrl?: string;
}
