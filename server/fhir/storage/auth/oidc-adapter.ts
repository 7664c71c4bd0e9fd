import type { Knex } from 'knex';
import { TOKEN_MODELS } from '../migrations/010_token_revocations.ts';

/** The payload oidc-provider stores per model instance (opaque to us but for a few fields). */
export type OidcPayload = Record<string, unknown> & {
  grantId?: string;
  uid?: string;
  userCode?: string;
  consumed?: number;
};

/** oidc-provider's adapter interface (one instance per model name). */
export interface OidcAdapter {
  upsert(id: string, payload: OidcPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<OidcPayload | undefined>;
  findByUid(uid: string): Promise<OidcPayload | undefined>;
  findByUserCode(userCode: string): Promise<OidcPayload | undefined>;
  /** Marks a one-time record used; AlreadyConsumedError when it is used already or gone. */
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

const TABLE = 'oauth_store';

/** `consume` of a one-time record (a code, a refresh token) that is used already, or gone. */
export class AlreadyConsumedError extends Error {
  constructor(
    readonly model: string,
    /** The grant the record belongs to, when it is still there to say. */
    readonly grantId: string | undefined,
  ) {
    super(`${model} already used`);
  }
}

/** Stored rows expire at `expires_at`; a row past it reads as absent (cleanup deletes it later). */
function live(q: Knex.QueryBuilder) {
  return q.where((w) => w.whereNull('expires_at').orWhere('expires_at', '>', new Date()));
}

function payloadOf(row: { payload: unknown; consumed_at: Date | string | null } | undefined) {
  if (!row) return undefined;
  // PGlite hands jsonb back parsed, pg too; a string only from drivers that do not.
  const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as OidcPayload;
  if (row.consumed_at) payload.consumed = Math.floor(new Date(row.consumed_at).getTime() / 1000);
  return payload;
}

/**
 * oidc-provider's storage in `oauth_store`, so sessions, interactions, codes, grants and tokens
 * survive a restart and are shared by every server node. Registered clients are not stored
 * here: `clientModel` reads them from `oauth_client` (see client-store.ts).
 */
export function createOidcAdapterFactory(
  knex: Knex,
  clientModel: (id: string) => Promise<OidcPayload | undefined>,
  /** Called after a change that may end a token (this node's kept lookups go at once; others by NOTIFY). */
  tokensChanged: () => void = () => {},
) {
  const affects = (model: string) => TOKEN_MODELS.includes(model);
  let lastSweep = 0;
  async function sweep() {
    // Expired rows are invisible already; deleting them now and then keeps the table small.
    if (Date.now() - lastSweep < 60_000) return;
    lastSweep = Date.now();
    await knex(TABLE)
      .where('expires_at', '<', new Date(Date.now() - 3600_000))
      .delete();
    tokensChanged();
  }

  return class KnexOidcAdapter implements OidcAdapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: OidcPayload, expiresIn?: number) {
      if (this.model === 'Client') throw new Error('clients are registered with `npm run clients`');
      const row = {
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        uid: payload.uid ?? null,
        user_code: payload.userCode ?? null,
        expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
        consumed_at: null,
      };
      await knex(TABLE).insert(row).onConflict(['model', 'id']).merge();
      // A new token ends nothing; a grant or session saved again may (fewer scopes, a logout).
      if (this.model === 'Grant' || this.model === 'Session') tokensChanged();
      await sweep();
    }

    async find(id: string) {
      if (this.model === 'Client') return clientModel(id);
      return payloadOf(await live(knex(TABLE).where({ model: this.model, id })).first());
    }

    async findByUid(uid: string) {
      return payloadOf(await live(knex(TABLE).where({ model: this.model, uid })).first());
    }

    async findByUserCode(userCode: string) {
      return payloadOf(await live(knex(TABLE).where({ model: this.model, user_code: userCode })).first());
    }

    async consume(id: string) {
      // oidc-provider reads a record, checks it is unused, then consumes it: of two requests
      // racing with one code or refresh token, both pass the check; only one may win here.
      const won = await knex(TABLE)
        .where({ model: this.model, id })
        .whereNull('consumed_at')
        .update({ consumed_at: new Date() })
        .returning(['id']);
      if (affects(this.model)) tokensChanged();
      if (won.length) return;
      const row = (await knex(TABLE).where({ model: this.model, id }).first('grant_id')) as
        { grant_id: string | null } | undefined;
      throw new AlreadyConsumedError(this.model, row?.grant_id ?? undefined);
    }

    async destroy(id: string) {
      await knex(TABLE).where({ model: this.model, id }).delete();
      if (affects(this.model)) tokensChanged();
    }

    async revokeByGrantId(grantId: string) {
      // Every model of the grant (codes, access and refresh tokens), not only this one's.
      await knex(TABLE).where({ grant_id: grantId }).delete();
      tokensChanged();
    }
  };
}

/**
 * Our own short-lived records beside oidc-provider's (EHR launch contexts, login tickets, a
 * grant's launch context), in the same table under their own model names.
 */
export function createRecordStore(knex: Knex) {
  return {
    async put(model: string, id: string, payload: object, ttlSeconds: number, grantId?: string) {
      await knex(TABLE)
        .insert({
          model,
          id,
          payload: JSON.stringify(payload),
          grant_id: grantId ?? null,
          expires_at: new Date(Date.now() + ttlSeconds * 1000),
        })
        .onConflict(['model', 'id'])
        .merge();
    },
    /** A record that is live and not used up by `take`. */
    async get<T>(model: string, id: string): Promise<T | undefined> {
      return payloadOf(await live(knex(TABLE).where({ model, id }).whereNull('consumed_at')).first()) as
        T | undefined;
    },
    /** Reads and uses up a one-time record: of two concurrent takes, only one gets it. */
    async take<T>(model: string, id: string): Promise<T | undefined> {
      const rows = (await live(
        knex(TABLE).where({ model, id }).whereNull('consumed_at').update({ consumed_at: new Date() }),
      ).returning(['payload'])) as { payload: unknown }[];
      return payloadOf(rows[0] ? { payload: rows[0].payload, consumed_at: null } : undefined) as
        T | undefined;
    },
  };
}

export type RecordStore = ReturnType<typeof createRecordStore>;
