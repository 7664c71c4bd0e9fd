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
 * Token requests in the access log: every refused one (a wrong key, an expired or replayed
 * assertion, a used code), and a system client's accepted one, which is its login (a person's
 * login is logged when it happens, on the login page; their app's code exchange is not another).
 * oidc-provider emits these after the fact, so a write failure is logged, not answered.
 */
export function logTokenRequests(provider: Provider, log: LoginLog, logger: Logger): void {
  const record = (ctx: TokenContext, outcome: LoginAttempt['outcome'], reason?: string) => {
    const grant = ctx.oidc?.params?.grant_type;
    const method = METHODS.has(grant as LoginAttempt['method'])
      ? (grant as LoginAttempt['method'])
      : 'client_credentials';
    const clientId = clientOf(ctx);
    log
      .record({
        method,
        outcome,
        ...(clientId ? { clientId } : {}),
        ...(reason ? { reason } : {}),
        ...(ctx.ip ? { address: ctx.ip } : {}),
      })
      .catch((err: unknown) => logger.error({ err }, 'token request not written to the access log'));
  };
  provider.on('grant.success', (ctx) => {
    const c = ctx as TokenContext;
    if (c.oidc?.params?.grant_type === 'client_credentials') record(c, 'success');
  });
  provider.on('grant.error', (ctx, err) => {
    const e = err as { error?: string; error_description?: string; message?: string };
    record(
      ctx as TokenContext,
      'refused',
      [e.error, e.error_description ?? e.message].filter(Boolean).join(': '),
    );
  });
}
