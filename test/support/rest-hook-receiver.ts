import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One notification as the receiver got it. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A REST-hook endpoint in the test process (plain HTTP on loopback: the server under test runs
 * with SUBSCRIPTION_PRIVATE_ENDPOINTS=allow). It can be down (not listening) and come up later
 * on the same port, or answer with an error status.
 */
export function restHookReceiver(port: number) {
  const received: Received[] = [];
  let server: Server | undefined;
  let answer = 200;
  return {
    received,
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    answerWith(status: number) {
      answer = status;
    },
    async up(): Promise<void> {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({
            path: req.url ?? '',
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
          res.statusCode = answer;
          res.end();
        });
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      if ((server.address() as AddressInfo).port !== port) throw new Error('wrong port');
    },
    async down(): Promise<void> {
      if (!server) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    },
    /** The notifications to `path` so far, waiting up to `ms` for at least `count`. */
    async at(path: string, count = 1, ms = 20_000): Promise<Received[]> {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = received.filter((r) => r.path === path);
        if (found.length >= count) return found;
        if (Date.now() > deadline)
          throw new Error(`fewer than ${count} notifications at ${path} within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
