import { loadConfig } from './config.ts';
import { DatabaseInUseError } from './fhir/storage/pglite-lock.ts';
import { startServer, type RunningServer } from './server.ts';

const config = loadConfig();
let server: RunningServer;
try {
  server = await startServer(config);
} catch (err) {
  // Said plainly, without a stack: it is the operator's situation, not a bug.
  if (err instanceof DatabaseInUseError) console.error(err.message);
  else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(
      `Port ${config.port} on ${config.host} is taken by another process (another Zorgpoort?). ` +
        `Stop it, or start this one with PORT=<another port>.`,
    );
  } else throw err;
  process.exit(1);
}
const log = server.app.logger;
log.info(
  {
    url: server.url,
    database: server.app.db.kind,
    ...(server.app.db.kind === 'pglite' ? { dataDir: config.pgliteDataDir } : {}),
  },
  'Zorgpoort FHIR server listening',
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    server.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
