/**
 * oidc-provider ships no type declarations; these cover the parts Zorgpoort uses
 * (https://github.com/panva/node-oidc-provider/blob/v9.x/docs/README.md).
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface KoaContextLike {
    method: string;
    path: string;
    querystring: string;
    body: unknown;
    status: number;
    ip: string;
    set(name: string, value: string): void;
    oidc: OidcContext;
  }

  export interface OidcContext {
    route: string;
    provider: Provider;
    params: Record<string, string | undefined>;
    client?: ClientLike;
    entities: Record<string, TokenLike | undefined> & {
      AuthorizationCode?: TokenLike;
      RefreshToken?: TokenLike;
      AccessToken?: TokenLike;
      ClientCredentials?: TokenLike;
      Grant?: Grant;
    };
  }

  export interface ClientLike {
    clientId: string;
    clientAuthMethod: string;
    [property: string]: unknown;
  }

  export interface TokenLike {
    jti: string;
    clientId: string;
    accountId?: string;
    grantId?: string;
    scope?: string;
    aud?: string | string[];
    extra?: Record<string, unknown>;
    gty?: string;
    kind: string;
    isExpired: boolean;
    /** When a code or refresh token was used (seconds since the epoch). */
    consumed?: number;
    save(): Promise<string>;
    destroy(): Promise<void>;
  }

  export interface TokenModel {
    find(value: string, options?: { ignoreExpiration?: boolean }): Promise<TokenLike | undefined>;
  }

  export class Grant {
    constructor(fields: { accountId: string; clientId: string });
    jti: string;
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    getOIDCScope(): string;
    getResourceScope(resource: string): string;
    save(ttl?: number): Promise<string>;
    destroy(): Promise<void>;
    static find(id: string): Promise<Grant | undefined>;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, string | undefined>;
    /** The browser session: `uid` stays the same across authorizations until it ends. */
    session?: { accountId?: string; uid?: string };
    grantId?: string;
    lastSubmission?: Record<string, unknown>;
    returnTo: string;
  }

  export class errors {
    static InvalidRequest: new (description: string) => Error;
    static InvalidTarget: new (description?: string) => Error;
    static InvalidScope: new (description: string, scope?: string) => Error;
    static InvalidGrant: new (description: string) => Error;
    /** 401 invalid_client; the description given is logged, the response says "client authentication failed". */
    static InvalidClientAuth: new (detail: string) => Error & { error_description: string };
    static AccessDenied: new (description: string) => Error;
  }

  export default class Provider {
    constructor(issuer: string, configuration: object);
    issuer: string;
    proxy: boolean;
    Grant: typeof Grant;
    AccessToken: TokenModel;
    ClientCredentials: TokenModel;
    RefreshToken: TokenModel;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: (ctx: KoaContextLike, next: () => Promise<void>) => Promise<void>): void;
    registerGrantType(
      name: string,
      handler: (ctx: KoaContextLike) => Promise<void>,
      params?: string | string[] | Set<string>,
      dupes?: string | string[] | Set<string>,
    ): void;
    on(event: string, listener: (...args: unknown[]) => void): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: object,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: object,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
  }
}
