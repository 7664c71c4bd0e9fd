import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    baseUrl_: string;
  }
}

const VALID_HOST = /^[A-Za-z0-9.:[\]-]{1,255}$/;
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Request id (a caller's X-Request-Id is kept when it is safe to log), the public base URL,
 * and one structured log line per request.
 */
export function requestContext(logger: Logger, configuredBaseUrl: string | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const host = req.headers.host && VALID_HOST.test(req.headers.host) ? req.headers.host : 'localhost';
    req.baseUrl_ = configuredBaseUrl ?? `${req.protocol}://${host}`;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
        {
          reqId: req.id,
          method: req.method,
          url: req.originalUrl,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  };
}
