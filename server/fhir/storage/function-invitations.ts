import type { Knex } from 'knex';

/** One function an invitation offers: a `referral-function` code, and for a care function its AGB. */
export interface InvitedFunction {
  code: string;
  agb?: string;
}

/** An invitation of a colleague to functions at an organisation (migration 018). */
export interface FunctionInvitation {
  id: string;
  organizationId: string;
  email: string;
  functions: InvitedFunction[];
  /** The clusters (Organization ids) the invited admin functions are bound to; none: all of it. */
  clusters: string[];
  /** `Practitioner/<id>` of the responsible admin who invited (or last resent). */
  invitedBy: string;
  createdAt: Date;
  sentAt: Date;
  expiresAt: Date;
  acceptedAt?: Date;
  /** `Practitioner/<id>` whose account the invitation made or extended. */
  acceptedBy?: string;
}

interface Row {
  id: string;
  organization_id: string;
  email: string;
  functions: unknown;
  clusters: unknown;
  invited_by: string;
  token_hash: string;
  created_at: Date | string;
  sent_at: Date | string;
  expires_at: Date | string;
  accepted_at: Date | string | null;
  accepted_by: string | null;
}

const TABLE = 'function_invitation';
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

const invitation = (r: Row): FunctionInvitation => ({
  id: r.id,
  organizationId: r.organization_id,
  email: r.email,
  functions: json<InvitedFunction[]>(r.functions),
  clusters: json<string[]>(r.clusters),
  invitedBy: r.invited_by,
  createdAt: new Date(r.created_at),
  sentAt: new Date(r.sent_at),
  expiresAt: new Date(r.expires_at),
  ...(r.accepted_at ? { acceptedAt: new Date(r.accepted_at) } : {}),
  ...(r.accepted_by ? { acceptedBy: r.accepted_by } : {}),
});

/** The invitations to functions, in the surrounding transaction when there is one. */
export class FunctionInvitations {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async create(i: Omit<FunctionInvitation, 'acceptedAt' | 'acceptedBy'>, tokenHash: string): Promise<void> {
    await this.db(TABLE).insert({
      id: i.id,
      organization_id: i.organizationId,
      email: i.email,
      functions: JSON.stringify(i.functions),
      clusters: JSON.stringify(i.clusters),
      invited_by: i.invitedBy,
      token_hash: tokenHash,
      created_at: i.createdAt,
      sent_at: i.sentAt,
      expires_at: i.expiresAt,
    });
  }

  /** An organisation's invitations, newest first. */
  async of(organizationId: string, limit: number): Promise<FunctionInvitation[]> {
    const rows = await this.db<Row>(TABLE)
      .where({ organization_id: organizationId })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(invitation);
  }

  /** One invitation, locked until the transaction ends. */
  async byId(id: string): Promise<FunctionInvitation | undefined> {
    const row = await this.db<Row>(TABLE).where({ id }).forUpdate().first();
    return row ? invitation(row) : undefined;
  }

  /** The invitation whose link carries the token with this hash, locked until the transaction ends. */
  async byTokenHash(tokenHash: string): Promise<FunctionInvitation | undefined> {
    const row = await this.db<Row>(TABLE).where({ token_hash: tokenHash }).forUpdate().first();
    return row ? invitation(row) : undefined;
  }

  /** A new link (the old token no longer matches) and a new validity, sent again by `by`. */
  async reissue(id: string, tokenHash: string, sentAt: Date, expiresAt: Date, by: string): Promise<void> {
    await this.db(TABLE)
      .where({ id })
      .whereNull('accepted_at')
      .update({ token_hash: tokenHash, sent_at: sentAt, expires_at: expiresAt, invited_by: by });
  }

  async accept(id: string, at: Date, by: string): Promise<void> {
    await this.db(TABLE).where({ id }).whereNull('accepted_at').update({ accepted_at: at, accepted_by: by });
  }
}
