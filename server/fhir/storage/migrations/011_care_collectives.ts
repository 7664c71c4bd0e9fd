import type { Knex } from 'knex';

/**
 * What the care collectives (server/domain/collective) keep outside the FHIR resources, because
 * no normal read may show it: a plan's activation code (a secret of the plan, seen only by its
 * casemanagers and used once by its patient), the invitations to a plan (the invitee gains access
 * only by accepting), and activation attempts (rate-limited per caller).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table care_plan_activation (
      plan_id text primary key,
      code text not null unique,
      issued_at timestamptz not null default now(),
      activated_at timestamptz,
      activated_by text
    )`);
  await knex.raw(`
    create table plan_invitation (
      id text primary key,
      plan_id text not null,
      practitioner_id text not null,
      invited_by text not null,
      created_at timestamptz not null default now(),
      answered_at timestamptz,
      status text not null default 'pending' check (status in ('pending', 'accepted', 'withdrawn'))
    )`);
  await knex.raw(
    `create unique index plan_invitation_pending on plan_invitation (plan_id, practitioner_id) where status = 'pending'`,
  );
  await knex.raw(
    `create table activation_attempt (caller text not null, at timestamptz not null default now())`,
  );
  await knex.raw(`create index activation_attempt_caller on activation_attempt (caller, at)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table activation_attempt');
  await knex.raw('drop table plan_invitation');
  await knex.raw('drop table care_plan_activation');
}
