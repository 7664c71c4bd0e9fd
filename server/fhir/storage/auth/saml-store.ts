import type { Knex } from 'knex';

/**
 * passport-saml's cache interface (`@node-saml/node-saml` CacheProvider): `saveAsync` when an
 * AuthnRequest is sent, `getAsync` to check a response's InResponseTo, `removeAsync` once it
 * has been answered. Declared here so storage does not depend on the SAML library.
 */
export interface SamlRequestCache {
  saveAsync(key: string, value: string): Promise<{ value: string; createdAt: number } | null>;
  getAsync(key: string): Promise<string | null>;
  removeAsync(key: string | null): Promise<string | null>;
}

export interface RelayStateBinding {
  relayState?: string;
  found?: { relayState: string | null };
}

export interface SamlStore {
  /**
   * The outstanding AuthnRequest ids of one IdP; an id sent to another IdP is not found. A new
   * request is saved with `binding.relayState`; looking one up fills `binding.found` with the
   * RelayState it was sent with, so the answer can be held to it.
   */
  requests(idp: string, binding?: RelayStateBinding): SamlRequestCache;
  /**
   * Records an assertion as used until `expiresAt`. False when it was already used: a replay.
   * One insert decides it, so two nodes receiving the same response cannot both accept it.
   */
  useAssertion(idp: string, assertionId: string, expiresAt: Date): Promise<boolean>;
  /** Deletes expired request ids and assertion ids. */
  prune(): Promise<void>;
}

const PRUNE_EVERY_MS = 60_000;

export function createSamlStore(deps: {
  knex: Knex;
  /** How long an AuthnRequest may stay unanswered. */
  requestTtlMs: number;
  now?: () => number;
}): SamlStore {
  const { knex, requestTtlMs } = deps;
  const now = deps.now ?? Date.now;
  let lastPrune = 0;

  async function prune(): Promise<void> {
    const at = new Date(now());
    lastPrune = at.getTime();
    await knex('saml_request').where('expires_at', '<=', at).delete();
    await knex('saml_assertion').where('expires_at', '<=', at).delete();
  }

  // Expired rows are harmless (every read checks expires_at); this only keeps the tables small.
  async function maybePrune(): Promise<void> {
    if (now() - lastPrune >= PRUNE_EVERY_MS) await prune();
  }

  return {
    requests(idp, binding) {
      return {
        async saveAsync(key, value) {
          await maybePrune();
          const createdAt = now();
          await knex('saml_request').insert({
            id: key,
            idp,
            created_at: new Date(createdAt),
            expires_at: new Date(createdAt + requestTtlMs),
            relay_state: binding?.relayState ?? null,
          });
          return { value, createdAt };
        },
        async getAsync(key) {
          const row = (await knex('saml_request')
            .where({ id: key, idp })
            .andWhere('expires_at', '>', new Date(now()))
            .first('created_at', 'relay_state')) as
            { created_at: Date | string; relay_state: string | null } | undefined;
          if (row && binding) binding.found = { relayState: row.relay_state };
          // node-saml compares this value with the request's age: hand back its creation time.
          return row ? new Date(row.created_at).toISOString() : null;
        },
        async removeAsync(key) {
          if (key === null) return null;
          const rows = (await knex('saml_request')
            .where({ id: key, idp })
            .delete()
            .returning('created_at')) as { created_at: Date | string }[];
          return rows[0] ? new Date(rows[0].created_at).toISOString() : null;
        },
      };
    },

    async useAssertion(idp, assertionId, expiresAt) {
      await maybePrune();
      const rows = (await knex('saml_assertion')
        .insert({ idp, assertion_id: assertionId, expires_at: expiresAt })
        .onConflict(['idp', 'assertion_id'])
        .ignore()
        .returning('assertion_id')) as unknown[];
      return rows.length === 1;
    },

    prune,
  };
}
