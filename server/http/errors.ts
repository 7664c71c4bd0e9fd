import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { FhirError } from '../fhir/errors.ts';
import { sendOutcome } from './respond.ts';

/**
 * Turns any error into an OperationOutcome. FhirErrors carry their own status; database
 * conflicts become 409 so a client can retry; everything else is a 500 whose details stay
 * in the log (with the request id), never in the response.
 */
export function toFhirError(err: unknown): FhirError | undefined {
  if (err instanceof FhirError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === '40P01' || code === '40001' || code === '55P03') {
    return new FhirError(409, 'The resource was changed concurrently; retry the request', {
      code: 'transient',
    });
  }
  if (code === '23505') {
    return new FhirError(409, 'The resource was created concurrently; retry the request', {
      code: 'conflict',
    });
  }
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large')
    return new FhirError(413, 'The request body is too large', { code: 'too-costly' });
  // express's body parsers (login forms, the launch endpoint) mark the client's mistakes
  // (unparsable JSON, too many fields, unknown charset) with `expose` and a 4xx status.
  const parser = err as { expose?: unknown; status?: unknown; message?: unknown } | null;
  if (
    parser?.expose === true &&
    typeof parser.status === 'number' &&
    parser.status >= 400 &&
    parser.status < 500
  ) {
    return new FhirError(parser.status, `The request body cannot be read: ${String(parser.message)}`, {
      code: 'invalid',
    });
  }
  return undefined;
}

export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const fhir = toFhirError(err);
    if (res.headersSent) {
      logger.error({ err, reqId: req.id }, 'error after the response started');
      res.destroy();
      return;
    }
    if (fhir) {
      if (fhir.status >= 500) logger.error({ err, reqId: req.id }, fhir.message);
      for (const [k, v] of Object.entries(fhir.headers)) res.setHeader(k, v);
      sendOutcome(req, res, fhir.status, fhir.issues);
      return;
    }
    logger.error({ err, reqId: req.id }, 'unhandled error');
    sendOutcome(req, res, 500, [
      {
        severity: 'fatal',
        code: 'exception',
        diagnostics: `Internal server error (request id ${String(req.id)})`,
      },
    ]);
  };
}
