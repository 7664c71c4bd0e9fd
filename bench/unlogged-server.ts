/**
 * The benchmark's reference for what the gate and the access log cost: Zorgpoort itself, the
 * same code and configuration as server/main.ts, but with an access log that keeps nothing.
 * Called with a trusted client (which the gate lets through), it is the same server with gate
 * and log switched off. Only the benchmark starts it, on its throwaway database; the switch is
 * a composition-root option (AppOptions.auditWriter) that no configuration reaches.
 */
import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/server.ts';

const server = await startServer(loadConfig(), {
  auditWriter: { write: async () => undefined },
  operatorSocket: false,
});
server.app.logger.warn({ url: server.url }, 'benchmark reference server: the access log keeps nothing');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void server.stop().then(() => process.exit(0)));
}
