import { loadConfig } from './config.ts';
import { startServer } from './server.ts';

const config = loadConfig();
const server = await startServer(config);
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
