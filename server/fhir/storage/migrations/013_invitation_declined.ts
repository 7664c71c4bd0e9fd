import type { Knex } from 'knex';

/**
 * An invited caregiver may decline (`CarePlan/[id]/$decline-invitation`), and finds their own
 * pending invitations (`CarePlan/$my-invitations`) by practitioner rather than by plan.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table plan_invitation drop constraint plan_invitation_status_check`);
  await knex.raw(
    `alter table plan_invitation add constraint plan_invitation_status_check
       check (status in ('pending', 'accepted', 'withdrawn', 'declined'))`,
  );
  await knex.raw(
    `create index plan_invitation_practitioner on plan_invitation (practitioner_id) where status = 'pending'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index plan_invitation_practitioner');
  await knex.raw(`update plan_invitation set status = 'withdrawn' where status = 'declined'`);
  await knex.raw(`alter table plan_invitation drop constraint plan_invitation_status_check`);
  await knex.raw(
    `alter table plan_invitation add constraint plan_invitation_status_check
       check (status in ('pending', 'accepted', 'withdrawn'))`,
  );
}
