import type { Knex } from 'knex';
import { up as bearerLookup007 } from './007_bearer_lookup.ts';

/** The channel every node listens on (auth/token-revocations.ts). */
export const TOKEN_CHANNEL = 'zorgpoort_tokens';
/** The oauth_store models a token's validity rests on. */
export const TOKEN_MODELS: readonly string[] = ['AccessToken', 'ClientCredentials', 'Grant', 'Session'];

/**
 * What lets a node keep a token's lookup for a few seconds without serving a revoked one:
 *  - bearer_lookup() also returns `valid_ms`, the time left until the earliest end of the
 *    token, its grant and its login session by the database's clock (a node whose clock is
 *    behind would keep an expired token on an absolute time), so a kept lookup ends with them;
 *  - any change to a token, grant or session row (revocation, rotation, logout) or to a client
 *    (revoked, re-registered) notifies TOKEN_CHANNEL at commit, whichever process made it (a
 *    node, the CLI), and every node drops what it kept.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('drop function bearer_lookup(text)');
  await knex.raw(`
    create function bearer_lookup(token text)
    returns table (model text, payload jsonb, client_id text, organization_id text, trusted boolean,
                   grant_live boolean, valid_ms double precision)
    language plpgsql stable as $$
    begin
      return query
      select s.model, s.payload, c.client_id, c.organization_id, c.trusted,
             coalesce(g.live, false),
             (extract(epoch from least(s.expires_at, g.expires_at, ss.expires_at) - now()) * 1000)::double precision
        from oauth_store s
        join oauth_client c on c.client_id = s.payload->>'clientId' and c.revoked_at is null
        left join lateral (
          select g.expires_at, true as live from oauth_store g
           where g.model = 'Grant' and g.id = s.grant_id
             and (g.expires_at is null or g.expires_at > now())
           limit 1) g on true
        left join lateral (
          select ss.expires_at, true as live from oauth_store ss
           where ss.model = 'Session' and ss.uid = s.payload->>'sessionUid'
             and (ss.expires_at is null or ss.expires_at > now())
             and ss.payload->>'accountId' = s.payload->>'accountId'
             and ss.payload->'authorizations'->(s.payload->>'clientId')->>'grantId' = s.payload->>'grantId'
           limit 1) ss on true
       where s.id = token and s.model in ('AccessToken', 'ClientCredentials')
         and (s.expires_at is null or s.expires_at > now())
         -- sender-constrained tokens (DPoP, mTLS) are never accepted as plain Bearer tokens
         and s.payload->>'jkt' is null and s.payload->>'x5t#S256' is null
         -- a token bound to its login session ends with it (oidc-provider's checkSessionBinding)
         and (coalesce((s.payload->>'expiresWithSession')::boolean, false) = false or ss.live)
       limit 1;
    end
    $$`);
  await knex.raw(`
    create function token_rows_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('${TOKEN_CHANNEL}', '');
      return null;
    end
    $$`);
  await knex.raw(`
    create trigger oauth_store_token_changed after update or delete on oauth_store
      for each row when (old.model in (${TOKEN_MODELS.map((m) => `'${m}'`).join(', ')}))
      execute function token_rows_changed()`);
  await knex.raw(`
    create trigger oauth_store_truncated after truncate on oauth_store
      for each statement execute function token_rows_changed()`);
  await knex.raw(`
    create trigger oauth_client_changed after update or delete or truncate on oauth_client
      for each statement execute function token_rows_changed()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger oauth_client_changed on oauth_client');
  await knex.raw('drop trigger oauth_store_truncated on oauth_store');
  await knex.raw('drop trigger oauth_store_token_changed on oauth_store');
  await knex.raw('drop function token_rows_changed()');
  await knex.raw('drop function bearer_lookup(text)');
  await bearerLookup007(knex);
}
