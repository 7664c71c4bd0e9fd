/**
 * Fixed-duration HTTP load with autocannon. Latencies are taken from autocannon's per-response
 * event (sub-millisecond hrtime) rather than its histogram, which rounds to whole milliseconds.
 */
import autocannon from 'autocannon';

export interface Request {
  method?: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: string;
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Non-2xx responses and socket errors; any is a failed benchmark. */
  failures: number;
}

export async function runLoad(options: {
  url: string;
  connections: number;
  seconds: number;
  /** Sent with every request (the bearer token). */
  headers?: Record<string, string>;
  /** Called for each request; returns what to send. */
  next: () => Request;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  let finished!: (r: autocannon.Result) => void;
  const done = new Promise<autocannon.Result>((r) => (finished = r));
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.seconds,
      requests: [
        {
          setupRequest: (req) => {
            const r = options.next();
            return {
              ...req,
              method: r.method ?? 'GET',
              path: r.path,
              body: r.body,
              headers: {
                ...options.headers,
                ...(r.body ? { 'content-type': 'application/fhir+json' } : {}),
              },
            };
          },
        },
      ],
    },
    (err: unknown, result: autocannon.Result) => {
      if (err) throw err;
      finished(result);
    },
  );
  instance.on('response', (_client, status: number, _bytes, ms: number) => {
    if (status >= 300) failures++;
    else latencies.push(ms);
  });
  const result = await done;
  failures += result.errors + result.timeouts;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies.length
      ? +latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(2)
      : NaN;
  return {
    requests: latencies.length,
    // Not rounded to whole requests: a slow workload may do fewer than one a second.
    requestsPerSecond: +(latencies.length / options.seconds).toFixed(2),
    p50: pct(0.5),
    p95: pct(0.95),
    p99: pct(0.99),
    failures,
  };
}
