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
}

/**
 * An access token by its value, with its client (active only) and its grant, in one statement:
 * every FHIR request with a bearer token pays this, so it is one round trip, not the four of
 * going through oidc-provider's models, with the same checks (expiry, active client, live grant,
 * session binding). Expired rows are not found.
 */
export function createBearerLookup(knex: Knex) {
  return async (token: string): Promise<BearerRow | undefined> => {
    const { rows } = (await knex.raw(
      `select s.model, s.payload, c.client_id, c.organization_id, c.trusted,
              exists (select 1 from oauth_store g
                       where g.model = 'Grant' and g.id = s.grant_id
                         and (g.expires_at is null or g.expires_at > now())) as grant_live
         from oauth_store s
         join oauth_client c on c.client_id = s.payload->>'clientId' and c.revoked_at is null
        where s.id = ? and s.model in ('AccessToken', 'ClientCredentials')
          and (s.expires_at is null or s.expires_at > now())
          -- sender-constrained tokens (DPoP, mTLS) are never accepted as plain Bearer tokens
          and s.payload->>'jkt' is null and s.payload->>'x5t#S256' is null
          -- a token bound to its login session ends with it (oidc-provider's checkSessionBinding)
          and (coalesce((s.payload->>'expiresWithSession')::boolean, false) = false
               or exists (select 1 from oauth_store ss
                           where ss.model = 'Session' and ss.uid = s.payload->>'sessionUid'
                             and (ss.expires_at is null or ss.expires_at > now())
                             and ss.payload->>'accountId' = s.payload->>'accountId'
                             and ss.payload->'authorizations'->(s.payload->>'clientId')->>'grantId'
                                 = s.payload->>'grantId'))
        limit 1`,
      [token],
    )) as {
      rows: {
        model: BearerRow['model'];
        payload: unknown;
        client_id: string;
        organization_id: string | null;
        trusted: boolean;
        grant_live: boolean;
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
    };
  };
}

export type BearerLookup = ReturnType<typeof createBearerLookup>;
