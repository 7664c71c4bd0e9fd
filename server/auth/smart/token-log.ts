import { decodeJwt } from 'jose';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { LoginAttempt, LoginLog } from '../../audit/login-log.ts';

interface TokenContext {
  ip?: string;
  oidc?: {
    params?: Record<string, unknown>;
    client?: { clientId?: string };
  };
}

const METHODS = new Set<LoginAttempt['method']>([
  'client_credentials',
  'authorization_code',
  'refresh_token',
]);

/** The client a token request named: the authenticated one, else what it presented (a claim). */
function clientOf(ctx: TokenContext): string | undefined {
  if (ctx.oidc?.client?.clientId) return ctx.oidc.client.clientId;
  const params = ctx.oidc?.params ?? {};
  if (typeof params.client_id === 'string') return params.client_id.slice(0, 200);
  if (typeof params.client_assertion === 'string') {
    try {
      const iss = decodeJwt(params.client_assertion).iss;
      return typeof iss === 'string' ? iss.slice(0, 200) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Token requests in the access log: a system client's accepted one is its login, written before
 * the token leaves (a middleware around the token endpoint; if it cannot be written the request
 * fails and no token is issued); every refused one (a wrong key, an expired or replayed
 * assertion, a used code), from oidc-provider's `grant.error` event, after the refusal was
 * answered (it discloses nothing; a failure to write it is logged). A person's login is logged
 * when it happens, on the login page; their app's code exchange is not another.
 */
export function logTokenRequests(provider: Provider, log: LoginLog, logger: Logger): void {
  const attempt = (ctx: TokenContext, outcome: LoginAttempt['outcome'], reason?: string): LoginAttempt => {
    const grant = ctx.oidc?.params?.grant_type;
    const clientId = clientOf(ctx);
    return {
      method: METHODS.has(grant as LoginAttempt['method'])
        ? (grant as LoginAttempt['method'])
        : 'token-request',
      outcome,
      ...(clientId ? { clientId } : {}),
      ...(reason ? { reason } : {}),
      ...(ctx.ip ? { address: ctx.ip } : {}),
    };
  };
  provider.use(async (ctx, next) => {
    await next();
    const c = ctx as TokenContext & { status?: number; oidc?: { route?: string } };
    if (c.oidc?.route !== 'token' || c.status !== 200) return;
    if (c.oidc.params?.grant_type !== 'client_credentials') return;
    try {
      await log.record(attempt(c, 'success'));
    } catch (err) {
      // The token was made but never leaves: it is unknown to its client, and expires unused.
      logger.error({ err }, 'system login not written to the access log; token withheld');
      const r = ctx as unknown as { status: number; body: unknown };
      r.status = 500;
      r.body = { error: 'server_error', error_description: 'The access log could not be written; try again' };
    }
  });
  provider.on('grant.error', (ctx, err) => {
    const e = err as { error?: string; error_description?: string; message?: string };
    const reason = [e.error, e.error_description ?? e.message].filter(Boolean).join(': ');
    log
      .record(attempt(ctx as TokenContext, 'refused', reason))
      .catch((error: unknown) => logger.error({ err: error }, 'token request not written to the access log'));
  });
}
