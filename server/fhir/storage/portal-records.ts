import type { Knex } from 'knex';

/** A registration by e-mail waiting for its confirmation link (migration 019). */
export interface PendingRegistration {
  email: string;
  /** The password chosen at registration (auth/password/hashing.ts form). */
  passwordHash: string;
  organizationId: string;
  name?: string;
  createdAt: Date;
  expiresAt: Date;
}

/** The live session code of an e-mail portal account. */
export interface StoredSessionCode {
  person: string;
  session: string;
  service: string;
  codeHash: string;
  expiresAt: Date;
  attempts: number;
}

type Time = Date | string;

/**
 * The portal accounts' records beside their Person resources (server/domain/practice): pending
 * registrations, notices, session codes, code requests and opened services. On the store's
 * handle, so they commit with the resources and the outbox mail of the same transaction.
 */
export class PortalRecords {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async addRegistration(tokenHash: string, r: PendingRegistration): Promise<void> {
    await this.db('portal_registration').insert({
      token_hash: tokenHash,
      email: r.email,
      password_hash: r.passwordHash,
      organization_id: r.organizationId,
      name: r.name ?? null,
      created_at: r.createdAt,
      expires_at: r.expiresAt,
    });
  }

  /** The registration of a link, expired or not (an expired one is answered with a way to start again). */
  async registration(tokenHash: string): Promise<PendingRegistration | undefined> {
    const row = (await this.db('portal_registration').where({ token_hash: tokenHash }).first()) as
      | {
          email: string;
          password_hash: string;
          organization_id: string;
          name: string | null;
          created_at: Time;
          expires_at: Time;
        }
      | undefined;
    return (
      row && {
        email: row.email,
        passwordHash: row.password_hash,
        organizationId: row.organization_id,
        ...(row.name ? { name: row.name } : {}),
        createdAt: new Date(row.created_at),
        expiresAt: new Date(row.expires_at),
      }
    );
  }

  /**
   * Ends the oldest registrations of an address still waiting, so that at most `keep` wait (the
   * newest, in the order they were made: migration 020). Expired ones stay until purged.
   */
  async keepNewestRegistrations(email: string, keep: number, now: Date): Promise<void> {
    const live = () => this.db('portal_registration').where({ email }).andWhere('expires_at', '>', now);
    if (keep <= 0) {
      await live().delete();
      return;
    }
    await live()
      .whereNotIn('token_hash', live().select('token_hash').orderBy('seq', 'desc').limit(keep))
      .delete();
  }

  /**
   * Removes an address's registrations (the one confirmed and any other: the address has its
   * account now) and, once in a while, those expired long ago. True when `tokenHash` was among
   * them and still live: of two confirmations at once, one wins.
   */
  async takeRegistrations(email: string, tokenHash: string, now: Date): Promise<boolean> {
    const rows = (await this.db('portal_registration')
      .where({ email })
      .delete()
      .returning(['token_hash', 'expires_at'])) as { token_hash: string; expires_at: Time }[];
    return rows.some((r) => r.token_hash === tokenHash && new Date(r.expires_at) > now);
  }

  /** Registrations expired before `before` go (their pages then say "unknown or expired" alike). */
  async purgeRegistrations(before: Date): Promise<void> {
    await this.db('portal_registration').where('expires_at', '<', before).delete();
  }

  /** Whether the owner of an address was told of an attempt after `since`; if not, it counts as told now. */
  async claimNotice(email: string, since: Date, now: Date): Promise<boolean> {
    const rows = (await this.db.raw(
      `insert into portal_notice (email, sent_at) values (?, ?)
         on conflict (email) do update set sent_at = excluded.sent_at
         where portal_notice.sent_at <= ?
       returning email`,
      [email, now, since],
    )) as { rows: unknown[] };
    return rows.rows.length === 1;
  }

  /** Counts a request for a session code; the requests after `since` (oldest first), this one included. */
  async countRequest(person: string, now: Date, since: Date): Promise<Date[]> {
    await this.db('portal_code_request').where({ person }).andWhere('requested_at', '<=', since).delete();
    await this.db('portal_code_request').insert({ person, requested_at: now });
    const rows = (await this.db('portal_code_request')
      .where({ person })
      .andWhere('requested_at', '>', since)
      .orderBy('requested_at')
      .select('requested_at')) as { requested_at: Time }[];
    return rows.map((r) => new Date(r.requested_at));
  }

  /** The requests of an account after `since`, oldest first. */
  async requestsSince(person: string, since: Date): Promise<Date[]> {
    const rows = (await this.db('portal_code_request')
      .where({ person })
      .andWhere('requested_at', '>', since)
      .orderBy('requested_at')
      .select('requested_at')) as { requested_at: Time }[];
    return rows.map((r) => new Date(r.requested_at));
  }

  /** A new session code for an account: the one before, whatever its session or service, is void. */
  async issueCode(code: Omit<StoredSessionCode, 'attempts'>): Promise<void> {
    await this.db('portal_session_code')
      .insert({
        person: code.person,
        session: code.session,
        service: code.service,
        code_hash: code.codeHash,
        expires_at: code.expiresAt,
        attempts: 0,
      })
      .onConflict('person')
      .merge();
  }

  /** The account's live code, if any. */
  async codeOf(person: string, now: Date): Promise<StoredSessionCode | undefined> {
    const row = (await this.db('portal_session_code')
      .where({ person })
      .andWhere('expires_at', '>', now)
      .first()) as
      | {
          person: string;
          session: string;
          service: string;
          code_hash: string;
          expires_at: Time;
          attempts: number;
        }
      | undefined;
    return (
      row && {
        person: row.person,
        session: row.session,
        service: row.service,
        codeHash: row.code_hash,
        expiresAt: new Date(row.expires_at),
        attempts: Number(row.attempts),
      }
    );
  }

  /** Counts a wrong try of the code; at `max` it is void. One statement each, so tries on two nodes all count. */
  async codeFailed(code: StoredSessionCode, max: number): Promise<void> {
    await this.db('portal_session_code')
      .where({ person: code.person, code_hash: code.codeHash })
      .increment('attempts', 1);
    await this.db('portal_session_code')
      .where({ person: code.person, code_hash: code.codeHash })
      .andWhere('attempts', '>=', max)
      .delete();
  }

  /** Uses the code up: of two requests with it, only one gets true. */
  async takeCode(code: StoredSessionCode, max: number, now: Date): Promise<boolean> {
    const rows = (await this.db('portal_session_code')
      .where({ person: code.person, session: code.session, code_hash: code.codeHash })
      .andWhere('expires_at', '>', now)
      .andWhere('attempts', '<', max)
      .delete()
      .returning(['person'])) as unknown[];
    return rows.length === 1;
  }

  /** Opens a service for one login session until `until` (again: the time starts anew). */
  async open(person: string, session: string, service: string, until: Date, now: Date): Promise<void> {
    await this.db('portal_open_service').where({ person }).andWhere('open_until', '<=', now).delete();
    await this.db('portal_open_service')
      .insert({ person, session, service, open_until: until })
      .onConflict(['person', 'session', 'service'])
      .merge();
  }

  /** The services a login session of the account has open now. */
  async openServices(person: string, session: string, now: Date): Promise<string[]> {
    const rows = (await this.db('portal_open_service')
      .where({ person, session })
      .andWhere('open_until', '>', now)
      .select('service')) as { service: string }[];
    return rows.map((r) => r.service);
  }
}
