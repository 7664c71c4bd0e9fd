import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createApp, type App } from './app.ts';
import type { Config } from './config.ts';
import { DatabaseInUseError, readLockHolder } from './fhir/storage/pglite-lock.ts';
import { startOperatorSocket, type OperatorSocket } from './operator/operator-socket.ts';

export interface RunningServer {
  app: App;
  http: Server;
  url: string;
  /** The MLLP listener's port, when HL7_MLLP_PORT is set (0 picks a free one). */
  hl7Port?: number;
  /** Stops accepting connections, lets in-flight requests finish (up to the grace period), closes the database. */
  stop(): Promise<void>;
}

/**
 * With UZI CAs, a client certificate is requested but not required (SMART and SAML logins use
 * the same port), and not rejected in the handshake: the request is answered with an
 * OperationOutcome saying why the card was refused (server/auth/uzi/uzi-login.ts).
 */
function tlsOptions(tls: NonNullable<Config['tls']>): HttpsServerOptions {
  const read = (files: string[]) => files.map((f) => readFileSync(f));
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ...(tls.uziCaFiles.length
      ? { requestCert: true, rejectUnauthorized: false, ca: read(tls.uziCaFiles), crl: read(tls.uziCrlFiles) }
      : {}),
  };
}

export async function startServer(
  config: Config,
  options: Parameters<typeof createApp>[1] & {
    /** false: no operator socket (a CLI's private server: the CLI's own commands go elsewhere). */
    operatorSocket?: boolean;
  } = {},
): Promise<RunningServer> {
  // Listen first: with port 0 the URL (the SMART issuer when BASE_URL is unset) is known only
  // then. Requests before the app is ready get 503.
  // An embedded database another process holds: say so before taking the port (the second
  // `npm start` would otherwise die on the port with a stack trace).
  if (!config.databaseUrl && !config.pgliteDataDir.startsWith('memory://')) {
    const holder = readLockHolder(config.pgliteDataDir);
    if (holder) throw new DatabaseInUseError(config.pgliteDataDir, holder);
  }
  const ready: { handler?: RequestListener } = {};
  const listener: RequestListener = (req, res) => {
    if (ready.handler) return ready.handler(req, res);
    res.statusCode = 503;
    res.end();
  };
  const http = config.tls ? createHttpsServer(tlsOptions(config.tls), listener) : createServer(listener);
  // Keep-alive sockets must not hold shutdown open, nor outlive a load balancer's idle timeout.
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const url = `${config.tls ? 'https' : 'http'}://${config.host}:${port}`;
  let app: App;
  try {
    app = await createApp(config, { ...options, listenUrl: url });
  } catch (err) {
    await new Promise((resolve) => http.close(resolve));
    throw err;
  }
  // On an embedded database the CLI cannot open the files beside us; it sends its commands here.
  let operator: OperatorSocket | undefined;
  if (app.db.lock && options.operatorSocket !== false) {
    try {
      // Commands that work through the API call us on loopback (a wildcard host is no address).
      const host = ['0.0.0.0', '::', ''].includes(config.host)
        ? '127.0.0.1'
        : config.host.includes(':')
          ? `[${config.host}]`
          : config.host;
      const serverUrl = `${config.tls ? 'https' : 'http'}://${host}:${port}`;
      operator = await startOperatorSocket(
        config.pgliteDataDir,
        { config, db: app.db, serverUrl },
        app.logger,
      );
      app.db.lock.announce(operator.path);
    } catch (err) {
      app.logger.warn({ err }, 'no operator socket: CLI commands must wait until the server stops');
    }
  }
  // The MLLP port (HL7_MLLP_PORT) opens once the app can apply messages.
  let hl7Port: number | undefined;
  try {
    hl7Port = await app.hl7?.start();
  } catch (err) {
    await operator?.close(0);
    await app.close();
    await new Promise((resolve) => http.close(resolve));
    throw err;
  }
  ready.handler = app.express as unknown as RequestListener;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // CLI commands first: they may still be calling the API (seed).
      await operator?.close(config.shutdownGraceMs);
      app.drain();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      // Keep-alive connections go idle once their in-flight response is sent; close them then.
      const sweeper = setInterval(() => http.closeIdleConnections(), 50);
      http.closeIdleConnections();
      const timer = setTimeout(() => http.closeAllConnections(), config.shutdownGraceMs);
      await closed;
      clearInterval(sweeper);
      clearTimeout(timer);
      await app.close();
    })());
  return { app, http, url, stop, ...(hl7Port !== undefined ? { hl7Port } : {}) };
}
