import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

export type ClientKind = 'backend' | 'confidential' | 'public';

export interface RegisteredClient {
  clientId: string;
  name: string;
  kind: ClientKind;
  scope: string;
  organizationId?: string;
  /** Trusted with the whole server, not only its organisation's patients (server/access/README.md). */
  trusted: boolean;
  redirectUris: string[];
  createdAt: Date;
  revokedAt?: Date;
}

export interface Registration {
  name: string;
  scope: string;
  /** Backend services: the client's public keys (or where to fetch them). */
  jwks?: { keys: object[] };
  jwksUri?: string;
  /** Apps: where the authorization code goes. */
  redirectUris?: string[];
  /** An app without a secret (a browser or mobile app); PKCE protects its codes. */
  public?: boolean;
  organizationId?: string;
  trusted?: boolean;
}

type Row = {
  client_id: string;
  name: string;
  kind: ClientKind;
  metadata: unknown;
  scope: string;
  organization_id: string | null;
  trusted: boolean;
  created_at: Date | string;
  revoked_at: Date | string | null;
};

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;

function toClient(row: Row): RegisteredClient {
  const metadata = json(row.metadata);
  return {
    clientId: row.client_id,
    name: row.name,
    kind: row.kind,
    scope: row.scope,
    ...(row.organization_id ? { organizationId: row.organization_id } : {}),
    trusted: row.trusted === true,
    redirectUris: (metadata.redirect_uris as string[] | undefined) ?? [],
    createdAt: new Date(row.created_at),
    ...(row.revoked_at ? { revokedAt: new Date(row.revoked_at) } : {}),
  };
}

/**
 * Registered SMART clients, in the database so that `npm run clients -- register` takes
 * effect on running servers at once (oidc-provider reads a client through the adapter on use).
 */
export function createClientStore(
  knex: Knex,
  /** Called after a revocation (this node's kept token lookups go at once; others by NOTIFY). */
  tokensChanged: () => void = () => {},
) {
  return {
    /** Registers a client; the secret is returned once (confidential apps only), never stored in clear elsewhere. */
    async register(r: Registration): Promise<{ client: RegisteredClient; clientSecret?: string }> {
      const clientId = randomUUID();
      let kind: ClientKind;
      let auth: Record<string, unknown>;
      let clientSecret: string | undefined;
      const keys = r.jwks ? { jwks: r.jwks } : r.jwksUri ? { jwks_uri: r.jwksUri } : {};
      if (!r.redirectUris?.length) {
        if (!r.jwks && !r.jwksUri)
          throw new Error('a backend client needs a JWKS (--jwks-file or --jwks-url)');
        kind = 'backend';
        auth = {
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          token_endpoint_auth_method: 'private_key_jwt',
          ...keys,
        };
      } else {
        kind = r.public ? 'public' : 'confidential';
        if (r.public) auth = { token_endpoint_auth_method: 'none' };
        else if (r.jwks || r.jwksUri) auth = { token_endpoint_auth_method: 'private_key_jwt', ...keys };
        else {
          clientSecret = randomBytes(32).toString('base64url');
          auth = { token_endpoint_auth_method: 'client_secret_basic', client_secret: clientSecret };
        }
        auth = {
          ...auth,
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: r.redirectUris,
        };
      }
      const metadata = { client_id: clientId, client_name: r.name, ...auth };
      const [row] = (await knex('oauth_client')
        .insert({
          client_id: clientId,
          name: r.name,
          kind,
          metadata: JSON.stringify(metadata),
          scope: r.scope,
          organization_id: r.organizationId ?? null,
          trusted: r.trusted === true,
        })
        .returning('*')) as Row[];
      return { client: toClient(row!), ...(clientSecret ? { clientSecret } : {}) };
    },

    async list(): Promise<RegisteredClient[]> {
      return ((await knex('oauth_client').select('*').orderBy('created_at')) as Row[]).map(toClient);
    },

    /** A client that is registered and not revoked. */
    async active(clientId: string): Promise<RegisteredClient | undefined> {
      const row = (await knex('oauth_client')
        .where({ client_id: clientId })
        .whereNull('revoked_at')
        .first()) as Row | undefined;
      return row ? toClient(row) : undefined;
    },

    /** oidc-provider's view of an active client (its metadata plus the SMART scope it may be granted). */
    async metadata(clientId: string): Promise<Record<string, unknown> | undefined> {
      const row = (await knex('oauth_client')
        .where({ client_id: clientId })
        .whereNull('revoked_at')
        .first()) as Row | undefined;
      return row ? { ...json(row.metadata), smart_scope: row.scope } : undefined;
    },

    /** Revokes a client: it can no longer get tokens, and the tokens it holds are deleted. */
    async revoke(clientId: string): Promise<boolean> {
      const revoked = await knex.transaction(async (trx) => {
        const n = await trx('oauth_client')
          .where({ client_id: clientId })
          .whereNull('revoked_at')
          .update({ revoked_at: new Date() });
        await trx('oauth_store').whereRaw(`payload->>'clientId' = ?`, [clientId]).delete();
        return n > 0;
      });
      tokensChanged();
      return revoked;
    },
  };
}

export type ClientStore = ReturnType<typeof createClientStore>;
