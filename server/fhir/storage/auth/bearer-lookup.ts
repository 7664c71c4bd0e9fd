import type { Knex } from 'knex';

/** What a FHIR request needs to know of its access token, in one row. */
export interface BearerRow {
  model: 'AccessToken' | 'ClientCredentials';
  payload: {
    clientId?: string;
    accountId?: string;
    grantId?: string;
    aud?: string | string[];
    scope?: string;
    extra?: Record<string, unknown>;
  };
  clientId: string;
  organizationId: string | null;
  /** The client is trusted with the whole server (backend clients). */
  trusted: boolean;
  /** For app tokens: whether their grant is still there (revoking a refresh token ends it). */
  grantLive: boolean;
  /** Milliseconds left, by the database's clock, until the token, its grant or its session ends. */
  validMs?: number;
}

/**
 * An access token by its value, with its client (active only) and its grant, in one statement:
 * every FHIR request with a bearer token pays this, so it is one round trip, not the four of
 * going through oidc-provider's models, with the same checks (expiry, active client, live grant,
 * session binding). Expired rows are not found. The statement is the function bearer_lookup()
 * (migration 007), whose plan each connection keeps.
 */
export function createBearerLookup(knex: Knex) {
  return async (token: string): Promise<BearerRow | undefined> => {
    const { rows } = (await knex.raw(
      `select model, payload, client_id, organization_id, trusted, grant_live, valid_ms from bearer_lookup(?)`,
      [token],
    )) as {
      rows: {
        model: BearerRow['model'];
        payload: unknown;
        client_id: string;
        organization_id: string | null;
        trusted: boolean;
        grant_live: boolean;
        valid_ms: number | string | null;
      }[];
    };
    const row = rows[0];
    if (!row) return undefined;
    const payload = (
      typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload
    ) as BearerRow['payload'];
    return {
      model: row.model,
      payload,
      clientId: row.client_id,
      organizationId: row.organization_id,
      trusted: row.trusted === true,
      grantLive: row.grant_live,
      ...(row.valid_ms !== null ? { validMs: Number(row.valid_ms) } : {}),
    };
  };
}

export type BearerLookup = ReturnType<typeof createBearerLookup>;
