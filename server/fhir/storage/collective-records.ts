import type { Knex } from 'knex';

/** A care plan's activation code (migration 011): a secret of the plan, used once. */
export interface Activation {
  planId: string;
  code: string;
  issuedAt: Date;
  activatedAt?: Date;
  /** The patient who activated it (`Patient/…`). */
  activatedBy?: string;
}

/** An invitation of a caregiver to a care plan, which they accept before they gain access. */
export interface Invitation {
  id: string;
  planId: string;
  practitionerId: string;
  invitedBy: string;
  createdAt: Date;
  status: 'pending' | 'accepted' | 'withdrawn' | 'declined';
  answeredAt?: Date;
}

interface ActivationRow {
  plan_id: string;
  code: string;
  issued_at: Date;
  activated_at: Date | null;
  activated_by: string | null;
}

interface InvitationRow {
  id: string;
  plan_id: string;
  practitioner_id: string;
  invited_by: string;
  created_at: Date;
  status: Invitation['status'];
  answered_at: Date | null;
}

const activation = (r: ActivationRow): Activation => ({
  planId: r.plan_id,
  code: r.code,
  issuedAt: new Date(r.issued_at),
  ...(r.activated_at ? { activatedAt: new Date(r.activated_at) } : {}),
  ...(r.activated_by ? { activatedBy: r.activated_by } : {}),
});

const invitation = (r: InvitationRow): Invitation => ({
  id: r.id,
  planId: r.plan_id,
  practitionerId: r.practitioner_id,
  invitedBy: r.invited_by,
  createdAt: new Date(r.created_at),
  status: r.status,
  ...(r.answered_at ? { answeredAt: new Date(r.answered_at) } : {}),
});

/**
 * The care collectives' records outside the resources (activation codes, invitations, attempts),
 * in the surrounding transaction when there is one.
 */
export class CollectiveRecords {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  /** A new code for a plan not yet activated (replacing the old one, which then works no more). */
  async issueActivation(planId: string, code: string): Promise<void> {
    await this.db.raw(
      `insert into care_plan_activation (plan_id, code) values (?, ?)
       on conflict (plan_id) do update set code = excluded.code, issued_at = now()
       where care_plan_activation.activated_at is null`,
      [planId, code],
    );
  }

  async activationsOf(planIds: string[]): Promise<Activation[]> {
    if (!planIds.length) return [];
    const rows = await this.db<ActivationRow>('care_plan_activation').whereIn('plan_id', planIds);
    return rows.map(activation);
  }

  /** The unused activation with this code, locked until the transaction ends. */
  async unusedActivation(code: string): Promise<Activation | undefined> {
    const row = await this.db<ActivationRow>('care_plan_activation')
      .where({ code })
      .whereNull('activated_at')
      .forUpdate()
      .first();
    return row ? activation(row) : undefined;
  }

  async markActivated(planId: string, by: string): Promise<void> {
    await this.db('care_plan_activation')
      .where({ plan_id: planId })
      .update({ activated_at: this.db.fn.now(), activated_by: by });
  }

  /** Records an activation attempt by `caller` and answers how many it made in the last `windowMs`. */
  async countAttempt(caller: string, windowMs: number): Promise<number> {
    await this.db.raw(`delete from activation_attempt where at < now() - interval '1 day'`);
    await this.db('activation_attempt').insert({ caller });
    const { rows } = (await this.db.raw(
      `select count(*)::int as n from activation_attempt where caller = ? and at > now() - (? * interval '1 millisecond')`,
      [caller, windowMs],
    )) as { rows: { n: number }[] };
    return rows[0]?.n ?? 0;
  }

  async invite(i: Omit<Invitation, 'createdAt' | 'status' | 'answeredAt'>): Promise<void> {
    await this.db('plan_invitation').insert({
      id: i.id,
      plan_id: i.planId,
      practitioner_id: i.practitionerId,
      invited_by: i.invitedBy,
    });
  }

  async invitationsOf(planId: string, status?: Invitation['status']): Promise<Invitation[]> {
    const q = this.db<InvitationRow>('plan_invitation').where({ plan_id: planId }).orderBy('created_at');
    const rows = await (status ? q.andWhere({ status }) : q);
    return rows.map(invitation);
  }

  /** Withdraws the pending invitations to these plans (of one practitioner, when named). */
  async withdrawPending(planIds: string[], practitionerId?: string): Promise<void> {
    if (!planIds.length) return;
    const q = this.db('plan_invitation').whereIn('plan_id', planIds).andWhere({ status: 'pending' });
    await (practitionerId ? q.andWhere({ practitioner_id: practitionerId }) : q).update({
      status: 'withdrawn',
      answered_at: this.db.fn.now(),
    });
  }

  /** A stopped plan's code works no more (an activated one's is kept as the record of it). */
  async voidActivation(planId: string): Promise<void> {
    await this.db('care_plan_activation').where({ plan_id: planId }).whereNull('activated_at').delete();
  }

  /** A caregiver's invitations (to plans of any collective), oldest first. */
  async invitationsFor(practitionerId: string, status?: Invitation['status']): Promise<Invitation[]> {
    const q = this.db<InvitationRow>('plan_invitation')
      .where({ practitioner_id: practitionerId })
      .orderBy('created_at');
    const rows = await (status ? q.andWhere({ status }) : q);
    return rows.map(invitation);
  }

  async answerInvitation(id: string, status: Exclude<Invitation['status'], 'pending'>): Promise<void> {
    await this.db('plan_invitation').where({ id }).update({ status, answered_at: this.db.fn.now() });
  }
}
