import pg from 'pg';
import type { Logger } from 'pino';
import { TOKEN_CHANNEL } from '../migrations/010_token_revocations.ts';

/** Whether a node may keep token lookups, and when it must drop them. */
export interface TokenRevocations {
  /** True while this node is listening: only then are notifications sure to reach it. */
  readonly listening: boolean;
  /** Bumped on every notification and on every change of `listening`: a lookup that started before must not be kept. */
  readonly generation: number;
  onChange(listener: () => void): void;
  /** A change made by this node: its own kept lookups go now, not when its notification comes back. */
  changedHere(): void;
  close(): Promise<void>;
}

/**
 * LISTENs on the token channel (migration 010) on a connection of its own. Postgres delivers a
 * notification to every listener when the transaction that revoked a token commits, on any
 * node or the CLI. When the connection drops, `listening` is false (callers stop keeping
 * lookups) until it is back; it reconnects with backoff.
 */
export function listenForTokenRevocations(databaseUrl: string, logger: Logger): TokenRevocations {
  const listeners: (() => void)[] = [];
  let listening = false;
  let generation = 0;
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const changed = () => {
    generation++;
    for (const l of listeners) l();
  };
  /** `from` failed (or never connected): stop keeping lookups, and connect again. */
  const lost = (from: pg.Client, err?: unknown) => {
    if (client !== undefined && from !== client) return; // an older connection, already replaced
    if (listening) logger.warn({ err }, 'token revocation listener lost; token lookups are not kept');
    listening = false;
    client = undefined;
    changed();
    from.end().catch(() => {});
    if (!closed && !retry) retry = setTimeout(connect, 1000);
  };
  async function connect() {
    retry = undefined;
    if (closed) return;
    const c = new pg.Client({ connectionString: databaseUrl, application_name: 'zorgpoort-token-listener' });
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    c.on('notification', changed);
    try {
      await c.connect();
      await c.query(`listen ${TOKEN_CHANNEL}`);
      if (closed) return void (await c.end());
      client = c;
      listening = true;
      changed();
    } catch (err) {
      lost(c, err);
    }
  }
  void connect();
  return {
    get listening() {
      return listening;
    },
    get generation() {
      return generation;
    },
    onChange(listener) {
      listeners.push(listener);
    },
    changedHere: changed,
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      listening = false;
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
