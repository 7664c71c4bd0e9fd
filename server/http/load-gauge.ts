import type { RequestHandler } from 'express';

/**
 * How busy this node is: the mean number of requests in flight since the last reading. Lets
 * background work (the access log's projection) step aside while requests queue, instead of
 * competing with them for the same cores.
 */
export interface LoadGauge {
  middleware: RequestHandler;
  /** Mean requests in flight since the previous call (or since start). */
  meanInFlight(): number;
}

export function createLoadGauge(now: () => number = () => performance.now()): LoadGauge {
  let inFlight = 0;
  let since = now();
  let changedAt = since;
  let area = 0; // requests in flight × milliseconds, since `since`

  const change = (delta: number) => {
    const t = now();
    area += inFlight * (t - changedAt);
    changedAt = t;
    inFlight += delta;
  };

  return {
    middleware(_req, res, next) {
      change(1);
      let done = false;
      const end = () => {
        if (done) return;
        done = true;
        change(-1);
      };
      res.once('finish', end);
      res.once('close', end);
      next();
    },
    meanInFlight() {
      change(0);
      const t = changedAt;
      const mean = t > since ? area / (t - since) : inFlight;
      area = 0;
      since = t;
      return mean;
    },
  };
}
