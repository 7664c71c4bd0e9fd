import type { Knex } from 'knex';

/**
 * The SMART on FHIR authorization server's state, in the database rather than in memory so
 * that any number of server nodes share it (DESIGN.md §6): oidc-provider's models (sessions,
 * interactions, grants, codes, tokens, replay ids) plus our own one-time records (EHR launch
 * contexts, login tickets, a grant's patient context) in `oauth_store`, and the registered
 * clients in `oauth_client` (registered by the CLI while servers run).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oauth_store', (t) => {
    t.text('model').notNullable();
    t.text('id').notNullable();
    t.jsonb('payload').notNullable();
    t.text('grant_id');
    t.text('uid');
    t.text('user_code');
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('consumed_at', { useTz: true });
    t.primary(['model', 'id']);
    t.index(['grant_id']);
    t.index(['uid']);
    t.index(['expires_at']);
  });
  await knex.schema.createTable('oauth_client', (t) => {
    t.text('client_id').primary();
    t.text('name').notNullable();
    /** Backend (client_credentials + private_key_jwt), confidential or public app. */
    t.text('kind').notNullable();
    /** oidc-provider client metadata (redirect_uris, jwks/jwks_uri, auth method, …). */
    t.jsonb('metadata').notNullable();
    /** The SMART scopes the client may be granted, space-separated. */
    t.text('scope').notNullable();
    t.text('organization_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('oauth_client');
  await knex.schema.dropTable('oauth_store');
}
