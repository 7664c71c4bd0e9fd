import { errors, type KoaContextLike } from 'oidc-provider';
import { coveredResourceScopes, coveringScopes } from './scopes.ts';

export type GrantHandler = (ctx: KoaContextLike) => Promise<void>;

/**
 * oidc-provider's `refresh_token` grant, letting a refresh narrow the scope by meaning, not
 * only by name (RFC 6749 §6: nothing beyond what was granted). oidc-provider compares names: a
 * token for `patient/*.rs` may ask for `patient/*.rs`, not for `patient/Observation.rs`. Here
 * the refresh token's scopes that cover the request stand in for it while oidc-provider does
 * the refresh (its checks, rotation, reuse detection, id token), and the new access token is
 * then cut down to the requested resource scopes. The refresh token keeps its whole scope.
 */
export function narrowingRefresh(handler: GrantHandler): GrantHandler {
  return async (ctx) => {
    const { params, client, provider } = ctx.oidc;
    const requested = params.scope;
    if (!requested) return handler(ctx);

    const stored = await provider.RefreshToken.find(params.refresh_token ?? '', { ignoreExpiration: true });
    if (!stored || stored.clientId !== client?.clientId || stored.consumed || stored.isExpired) {
      // oidc-provider refuses such a token; a used one also ends its grant, whatever the scope
      // (it checks the scope first, so a scope it cannot grant would spare the grant).
      params.scope = undefined;
      return handler(ctx);
    }

    const { cover, missing } = coveringScopes(requested, stored.scope);
    if (missing.length) {
      throw new errors.InvalidScope(
        `refresh token missing requested scope${missing.length > 1 ? 's' : ''}`,
        missing.join(' '),
      );
    }
    params.scope = cover.join(' ');
    try {
      await handler(ctx);
    } finally {
      params.scope = requested;
    }

    const at = ctx.oidc.entities.AccessToken;
    if (!at) return;
    const narrowed = coveredResourceScopes(requested, at.scope);
    const issued = (at.scope ?? '').split(' ').filter(Boolean);
    if (narrowed.length === issued.length && narrowed.every((s) => issued.includes(s))) return;
    at.scope = narrowed.join(' ');
    // The token is not out yet (the response is still to be sent): saved again, narrower.
    await at.save();
    (ctx.body as Record<string, unknown>).scope = at.scope;
  };
}
