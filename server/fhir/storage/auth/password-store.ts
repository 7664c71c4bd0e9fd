import type { Knex } from 'knex';
import { jobDatabase, type JobDatabase } from '../job-queue.ts';

/** A password account as stored (migration 017): the hash is opaque here (auth/password/hashing.ts). */
export interface StoredPasswordAccount {
  /** `Practitioner/<id>` or `Patient/<id>`. */
  person: string;
  /** The e-mail address, lower-cased. */
  login: string;
  passwordHash: string;
  mobile?: string;
  disabled: boolean;
  failedAttempts: number;
  lockedUntil?: Date;
}

/** The one-time code of a login in progress. */
export interface StoredCode {
  person: string;
  interaction: string;
  codeHash: string;
  expiresAt: Date;
  attempts: number;
}

type AccountRow = {
  person: string;
  login: string;
  password_hash: string;
  mobile: string | null;
  disabled_at: Date | string | null;
  failed_attempts: number;
  locked_until: Date | string | null;
};

const toAccount = (r: AccountRow): StoredPasswordAccount => ({
  person: r.person,
  login: r.login,
  passwordHash: r.password_hash,
  ...(r.mobile ? { mobile: r.mobile } : {}),
  disabled: r.disabled_at !== null,
  failedAttempts: Number(r.failed_attempts),
  ...(r.locked_until ? { lockedUntil: new Date(r.locked_until) } : {}),
});

/**
 * Password accounts, their lock state, one-time codes and reset tokens, in the database so that
 * every server node sees the same counts and locks. Times come from the caller's clock.
 */
export function createPasswordStore(
  knex: Knex,
  /** Called after tokens were ended (this node's kept token lookups go at once; others by NOTIFY). */
  tokensChanged: () => void = () => {},
) {
  /** Ends every grant and login session of `person` (their tokens go with the grant). */
  async function endGrants(db: Knex | Knex.Transaction, person: string): Promise<void> {
    const grants = db('oauth_store')
      .where({ model: 'Grant' })
      .whereRaw(`payload->>'accountId' = ?`, [person]);
    await db('oauth_store').whereIn('grant_id', grants.clone().select('id')).delete();
    await db('oauth_store')
      .whereIn('model', ['Grant', 'Session'])
      .whereRaw(`payload->>'accountId' = ?`, [person])
      .delete();
  }

  return {
    /** Inserts an account; `taken` says which unique value another account holds already. */
    async insert(
      account: { person: string; login: string; passwordHash: string; mobile?: string },
      now: Date,
    ): Promise<'created' | 'login-taken' | 'person-taken'> {
      const rows = (await knex('password_account')
        .insert({
          person: account.person,
          login: account.login,
          password_hash: account.passwordHash,
          mobile: account.mobile ?? null,
          created_at: now,
          password_changed_at: now,
        })
        .onConflict()
        .ignore()
        .returning(['person'])) as { person: string }[];
      if (rows.length) return 'created';
      const byLogin = await knex('password_account').where({ login: account.login }).first('person');
      return byLogin ? 'login-taken' : 'person-taken';
    },

    /**
     * Removes an account whose person was never made (an invitation whose transaction failed),
     * with anything hanging on it, so its login is free again. False when there was none.
     */
    async remove(person: string): Promise<boolean> {
      const removed = await knex.transaction(async (tx) => {
        await tx('password_code').where({ person }).delete();
        await tx('password_reset').where({ person }).delete();
        await endGrants(tx, person);
        return (await tx('password_account').where({ person }).delete()) > 0;
      });
      if (removed) tokensChanged();
      return removed;
    },

    async byLogin(login: string): Promise<StoredPasswordAccount | undefined> {
      const row = (await knex('password_account').where({ login }).first()) as AccountRow | undefined;
      return row && toAccount(row);
    },

    async byPerson(person: string): Promise<StoredPasswordAccount | undefined> {
      const row = (await knex('password_account').where({ person }).first()) as AccountRow | undefined;
      return row && toAccount(row);
    },

    /**
     * Disables (ending the person's grants, codes and reset links) or enables an account.
     * False when the person has no password account.
     */
    async setDisabled(person: string, disabled: boolean, now: Date): Promise<boolean> {
      const changed = await knex.transaction(async (tx) => {
        const n = await tx('password_account')
          .where({ person })
          .update(
            disabled ? { disabled_at: now } : { disabled_at: null, failed_attempts: 0, locked_until: null },
          );
        if (!n) return false;
        if (disabled) {
          await tx('password_code').where({ person }).delete();
          await tx('password_reset').where({ person }).delete();
          await endGrants(tx, person);
        }
        return true;
      });
      if (changed && disabled) tokensChanged();
      return changed;
    },

    /**
     * Counts a wrong password or a wrong code; the `max`th in a row locks the account until `lockUntil` (and
     * starts the count again). One statement, so concurrent attempts on two nodes all count.
     */
    async recordFailure(person: string, max: number, lockUntil: Date): Promise<number> {
      const result = (await knex.raw(
        `update password_account set
           locked_until = case when failed_attempts + 1 >= ? then ? else locked_until end,
           failed_attempts = case when failed_attempts + 1 >= ? then 0 else failed_attempts + 1 end
         where person = ?
         returning failed_attempts`,
        [max, lockUntil, max, person],
      )) as { rows: { failed_attempts: number }[] };
      // 0 after the update: this failure was the `max`th and locked the account.
      const left = result.rows[0]?.failed_attempts;
      return left === undefined ? 0 : Number(left) === 0 ? max : Number(left);
    },

    /** A right password made again with newer parameters. */
    async rehash(person: string, rehashed: string): Promise<void> {
      await knex('password_account').where({ person }).update({ password_hash: rehashed });
    },

    /**
     * A completed login (password and code): the count of failures starts again. A right
     * password alone does not, or whoever knows it could try codes without end.
     */
    async recordSuccess(person: string): Promise<void> {
      await knex('password_account').where({ person }).update({ failed_attempts: 0 });
    },

    /**
     * Stores a new one-time code for a login, replacing any earlier one of the account (only
     * the latest works) and any of another account in the same login (whose password was given
     * before: the last one given is the one logging in), and hands the outbox the message in the
     * same transaction.
     */
    async issueCode(code: Omit<StoredCode, 'attempts'>, send: (jobs: JobDatabase) => Promise<void>) {
      await knex.transaction(async (tx) => {
        await tx('password_code')
          .where({ interaction: code.interaction })
          .whereNot({ person: code.person })
          .delete();
        await tx('password_code')
          .insert({
            person: code.person,
            interaction: code.interaction,
            code_hash: code.codeHash,
            expires_at: code.expiresAt,
            attempts: 0,
          })
          .onConflict('person')
          .merge();
        await send(jobDatabase(tx));
      });
    },

    /** The live code of a login in progress (`interaction`), if any. */
    async codeOf(interaction: string, now: Date): Promise<StoredCode | undefined> {
      const row = (await knex('password_code')
        .where({ interaction })
        .andWhere('expires_at', '>', now)
        .first()) as
        | {
            person: string;
            interaction: string;
            code_hash: string;
            expires_at: Date | string;
            attempts: number;
          }
        | undefined;
      return (
        row && {
          person: row.person,
          interaction: row.interaction,
          codeHash: row.code_hash,
          expiresAt: new Date(row.expires_at),
          attempts: Number(row.attempts),
        }
      );
    },

    /** Counts a wrong code; at `max` the code is gone (the login starts again with the password). */
    async codeFailed(code: StoredCode, max: number): Promise<void> {
      await knex('password_code')
        .where({ person: code.person, code_hash: code.codeHash })
        .increment('attempts', 1);
      await knex('password_code')
        .where({ person: code.person, code_hash: code.codeHash })
        .andWhere('attempts', '>=', max)
        .delete();
    },

    /** Uses up a code: of two requests with it, only one gets true. */
    async takeCode(code: StoredCode, max: number, now: Date): Promise<boolean> {
      const rows = (await knex('password_code')
        .where({ person: code.person, interaction: code.interaction, code_hash: code.codeHash })
        .andWhere('expires_at', '>', now)
        .andWhere('attempts', '<', max)
        .delete()
        .returning(['person'])) as unknown[];
      return rows.length === 1;
    },

    /** A new reset link for `person`: earlier ones stop working; the mail goes in the same transaction. */
    async issueReset(
      reset: { person: string; tokenHash: string; expiresAt: Date },
      send: (jobs: JobDatabase) => Promise<void>,
    ): Promise<void> {
      await knex.transaction(async (tx) => {
        await tx('password_reset').where({ person: reset.person }).delete();
        await tx('password_reset').insert({
          token_hash: reset.tokenHash,
          person: reset.person,
          expires_at: reset.expiresAt,
        });
        await send(jobDatabase(tx));
      });
    },

    /** Whether a reset link for `person` was issued after `since` (its expiry says when). */
    async resetIssuedAfter(person: string, since: Date, lifetimeSeconds: number): Promise<boolean> {
      const row = (await knex('password_reset')
        .where({ person })
        .andWhere('expires_at', '>', new Date(since.getTime() + lifetimeSeconds * 1000))
        .first('person')) as { person: string } | undefined;
      return row !== undefined;
    },

    /** The person a live reset token is for (without using it up). */
    async resetOf(tokenHash: string, now: Date): Promise<string | undefined> {
      const row = (await knex('password_reset')
        .where({ token_hash: tokenHash })
        .andWhere('expires_at', '>', now)
        .first('person')) as { person: string } | undefined;
      return row?.person;
    },

    /**
     * Sets a new password with a reset token, which is used up (of two requests, one wins): the
     * lock and failures are cleared, codes dropped, and every grant of the person ends.
     * Undefined when the token is unknown, used or expired.
     */
    async resetPassword(tokenHash: string, passwordHash: string, now: Date): Promise<string | undefined> {
      const person = await knex.transaction(async (tx) => {
        const rows = (await tx('password_reset')
          .where({ token_hash: tokenHash })
          .andWhere('expires_at', '>', now)
          .delete()
          .returning(['person'])) as { person: string }[];
        const who = rows[0]?.person;
        if (!who) return undefined;
        await tx('password_account').where({ person: who }).update({
          password_hash: passwordHash,
          password_changed_at: now,
          failed_attempts: 0,
          locked_until: null,
        });
        await tx('password_code').where({ person: who }).delete();
        await tx('password_reset').where({ person: who }).delete();
        await endGrants(tx, who);
        return who;
      });
      if (person) tokensChanged();
      return person;
    },
  };
}

export type PasswordStore = ReturnType<typeof createPasswordStore>;
