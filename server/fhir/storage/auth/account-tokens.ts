import type { Knex } from 'knex';

/**
 * Ends every SMART login of one person (`Practitioner/<id>`): their sessions, grants, codes and
 * tokens in `oauth_store` (oidc-provider keeps the account in each payload's `accountId`). For a
 * deactivated account: what they held stops working on the next request on every node (the
 * deletion notifies the token channel, migration 010), not when it would have expired.
 */
export function createAccountTokens(knex: Knex, tokensChanged: () => void = () => {}) {
  return {
    async revoke(accountId: string): Promise<number> {
      const n = await knex('oauth_store').whereRaw(`payload->>'accountId' = ?`, [accountId]).delete();
      tokensChanged();
      return n;
    },
  };
}

export type AccountTokens = ReturnType<typeof createAccountTokens>;
