import type { Request, Response } from 'express';

/**
 * /healthz: the process is alive. /readyz: it can serve — the database answers and the
 * server is not draining for shutdown (a load balancer then stops sending new requests).
 */
export function healthRoutes(deps: { ping(): Promise<void>; draining(): boolean }) {
  return {
    healthz(_req: Request, res: Response) {
      res.json({ status: 'ok' });
    },
    async readyz(_req: Request, res: Response) {
      if (deps.draining()) {
        res.status(503).json({ status: 'draining' });
        return;
      }
      try {
        await deps.ping();
        res.json({ status: 'ready' });
      } catch {
        res.status(503).json({ status: 'database unavailable' });
      }
    },
  };
}
