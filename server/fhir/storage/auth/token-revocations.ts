import { randomBytes } from 'node:crypto';
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

/** How often the listener proves its connection works end to end, and how long the proof may take. */
const HEARTBEAT_MS = 5_000;
const HEARTBEAT_TIMEOUT_MS = 3_000;
const RETRY_MS = { first: 500, max: 30_000 };

/**
 * LISTENs on the token channel (migration 010) on a connection of its own. Postgres delivers a
 * notification to every listener when the transaction that revoked a token commits, on any
 * node or the CLI. A connection can die without a word (a half-open socket behind a firewall),
 * so every HEARTBEAT_MS the listener notifies a channel of its own on it and must hear that
 * back within HEARTBEAT_TIMEOUT_MS. While it is not sure to hear, `listening` is false (callers
 * keep nothing) and it reconnects, waiting longer after each failure.
 */
export function listenForTokenRevocations(databaseUrl: string, logger: Logger): TokenRevocations {
  const listeners: (() => void)[] = [];
  const echo = `zorgpoort_listener_${randomBytes(6).toString('hex')}`;
  let listening = false;
  let generation = 0;
  let closed = false;
  /** The connection being opened or in use: events of any other are stale. */
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let awaitingEcho: NodeJS.Timeout | undefined;
  let delay = RETRY_MS.first;
  let warned = false;
  const changed = () => {
    generation++;
    for (const l of listeners) l();
  };
  const stopTimers = () => {
    clearInterval(heartbeat);
    clearTimeout(awaitingEcho);
    heartbeat = awaitingEcho = undefined;
  };
  /** `from` failed, went quiet or never connected: keep nothing, and connect again. */
  const lost = (from: pg.Client, err?: unknown) => {
    if (from !== current) return;
    current = undefined;
    stopTimers();
    if (!warned) logger.warn({ err }, 'token revocation listener down; token lookups are not kept');
    warned = true;
    listening = false;
    changed();
    from.end().catch(() => {});
    if (closed || retry) return;
    retry = setTimeout(connect, delay);
    retry.unref();
    delay = Math.min(delay * 2, RETRY_MS.max);
  };
  async function connect() {
    retry = undefined;
    if (closed) return;
    const c = new pg.Client({
      connectionString: databaseUrl,
      application_name: 'zorgpoort-token-listener',
      keepAlive: true,
    });
    current = c;
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    c.on('notification', (n) => {
      if (n.channel === echo) {
        clearTimeout(awaitingEcho);
        awaitingEcho = undefined;
      } else changed();
    });
    try {
      await c.connect();
      await c.query(`listen ${TOKEN_CHANNEL}`);
      await c.query(`listen ${echo}`);
      if (closed || c !== current) return void (await c.end().catch(() => {}));
      listening = true;
      warned = false;
      delay = RETRY_MS.first;
      changed();
      heartbeat = setInterval(() => {
        if (awaitingEcho) return;
        awaitingEcho = setTimeout(() => lost(c, new Error('no heartbeat')), HEARTBEAT_TIMEOUT_MS);
        awaitingEcho.unref();
        c.query(`notify ${echo}`).catch((err: unknown) => lost(c, err));
      }, HEARTBEAT_MS);
      heartbeat.unref();
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
      clearTimeout(retry);
      stopTimers();
      listening = false;
      const c = current;
      current = undefined;
      await c?.end().catch(() => {});
    },
  };
}
