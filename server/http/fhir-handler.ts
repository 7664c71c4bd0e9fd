import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { FhirError } from '../fhir/errors.ts';
import type { Dispatch } from '../fhir/rest/dispatch.ts';
import { interactionQuery, type FhirRequest } from '../fhir/rest/routes.ts';
import type { RestContext } from '../fhir/rest/types.ts';
import { readBody, type BodyLimits } from './body.ts';
import { outputFormat, preferReturn } from './negotiate.ts';
import { sendResult } from './respond.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']);

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function pathSegments(req: Request): string[] {
  try {
    return req.path
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
  } catch {
    throw new FhirError(400, 'The URL path is not validly percent-encoded', { code: 'invalid' });
  }
}

/** Thin: HTTP request → FhirRequest → dispatch → response. */
export function fhirHandler(deps: {
  dispatch: Dispatch;
  /** Authenticates the caller too, so it may be refused (401/403) before any work. */
  context: (req: Request) => Promise<RestContext>;
  limits: BodyLimits;
  logger: Logger;
}) {
  return async (req: Request, res: Response, next: NextFunction) => {
    let ctx: RestContext | undefined;
    try {
      if (!METHODS.has(req.method)) {
        throw new FhirError(405, `Method ${req.method} is not supported`, { code: 'not-supported' });
      }
      outputFormat(req); // an unsupported _format is refused before any work is done
      // Authenticated before the body is read: a caller without credentials costs nothing.
      ctx = await deps.context(req);
      const q = req.originalUrl.indexOf('?');
      const query = interactionQuery(q < 0 ? '' : req.originalUrl.slice(q + 1));
      const { body, patch, form } = await readBody(req, deps.limits);
      const fhirReq: FhirRequest = {
        method: req.method as FhirRequest['method'],
        path: pathSegments(req),
        query,
        body,
        patch,
        form: form && interactionQuery(form.toString()),
        lenient: /handling\s*=\s*lenient/i.test(header(req, 'prefer') ?? ''),
        representation: /return=representation/i.test(header(req, 'prefer') ?? ''),
        pre: {
          ifMatch: header(req, 'if-match'),
          ifNoneMatch: header(req, 'if-none-match'),
          ifModifiedSince: header(req, 'if-modified-since'),
          ifNoneExist: header(req, 'if-none-exist'),
        },
      };
      const result = await deps.dispatch(ctx, fhirReq);
      // The access log is durable before anything it records leaves.
      await commitAudit(ctx);
      // A Bundle response is the answer itself, whatever Prefer says about resources in it.
      if (fhirReq.path.length === 0 && req.method === 'POST' && preferReturn(req) === 'minimal') {
        req.headers.prefer = 'return=representation';
      }
      sendResult(req, res, result);
    } catch (err) {
      // A refusal or failure is logged too. The answer discloses nothing, so if even its log
      // cannot be written, it still goes out (and the failure to log is logged).
      if (ctx && !(err instanceof AuditUnavailable)) {
        await commitAudit(ctx).catch((auditErr: unknown) =>
          deps.logger.error(
            { err: (auditErr as Error).cause ?? auditErr, reqId: req.id },
            'access log not written',
          ),
        );
      }
      next(err);
    }
  };
}

class AuditUnavailable extends FhirError {}

async function commitAudit(ctx: RestContext): Promise<void> {
  try {
    await ctx.audit?.commit();
  } catch (err) {
    throw Object.assign(
      new AuditUnavailable(
        500,
        'The access log could not be written, so nothing was disclosed; try again later',
        {
          code: 'exception',
        },
      ),
      { cause: err },
    );
  }
}
