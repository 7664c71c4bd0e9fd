import type { Knex } from 'knex';

/**
 * The access gate's facts (treatment relationships, CareTeam memberships, consent rules), kept
 * like the search index: per resource row, replaced in the same transaction as the resource,
 * rebuilt by `npm run reindex` (which an upgrade from an earlier version must run once); the
 * break-the-glass grants; and the flag for a system client trusted with the whole server.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table idx_access (
      rid bigint not null,
      kind text not null,
      patient_id text,
      actor text,
      grp text,
      basis text,
      decision text,
      category text,
      lo bigint,
      hi bigint
    )`);
  await knex.raw(`create index idx_access_rid on idx_access (rid)`);
  await knex.raw(`create index idx_access_actor on idx_access (kind, actor)`);
  await knex.raw(`create index idx_access_patient on idx_access (kind, patient_id)`);
  await knex.raw(`alter table oauth_client add column trusted boolean not null default false`);
  // Break-the-glass grants: one practitioner, one patient, a stated reason, until ends_at.
  await knex.raw(`
    create table access_emergency (
      id text primary key,
      practitioner_id text not null,
      patient_id text not null,
      organization_id text,
      reason text not null,
      started_at bigint not null,
      ends_at bigint not null
    )`);
  await knex.raw(`create index access_emergency_practitioner on access_emergency (practitioner_id, ends_at)`);
  await knex.raw(ACCESS_DECIDE);
}

/**
 * The gate's read at the start of every request of a gated caller (access-facts.ts): the
 * actors, their organisations' types and every group they are in (nested CareTeams; `union`
 * ends a cycle); the patients related to any of them (a break-the-glass grant is a relationship
 * of basis `emergency`, for its practitioner logged in for its organisation; `grace_bases` still hold `grace_ms` after their end); those patients'
 * consent rules about them. Rows told apart by `k`. A plpgsql function, so its plan is kept per
 * connection: planning the statement took four times as long as running it.
 */
export const ACCESS_DECIDE = `
create function access_decide(actors jsonb, organizations jsonb, now bigint, grace_bases jsonb, grace_ms bigint)
returns table (k text, a text, b text, c text, d text)
language plpgsql stable as $$
begin
  return query
  with recursive
    given(actor) as (
      select jsonb_array_elements_text(actors)
      union
      select 'code:' || coalesce(t.system, '') || '|' || t.code
        from idx_token t join resource r on r.rid = t.rid
       where r.resource_type = 'Organization' and not r.deleted
         and r.id in (select jsonb_array_elements_text(organizations))
         and t.param = 'Organization.type' and t.code is not null
    ),
    groups(actor) as (
      select given.actor from given
      union
      select f.grp from idx_access f join groups g on f.actor = g.actor
       where f.kind = 'member' and (f.lo is null or f.lo <= now) and (f.hi is null or f.hi >= now)
    ),
    related(patient_id, basis) as (
      select f.patient_id, f.basis from idx_access f
       where f.kind = 'relationship' and f.actor in (select groups.actor from groups)
         and (f.lo is null or f.lo <= now)
         and (f.hi is null or f.hi + case when f.basis in (select jsonb_array_elements_text(grace_bases))
                                          then grace_ms else 0 end >= now)
      union
      select e.patient_id, 'emergency'::text from access_emergency e
       where 'Practitioner/' || e.practitioner_id in (select groups.actor from groups)
         and (e.organization_id is null or 'Organization/' || e.organization_id in (select groups.actor from groups))
         and e.started_at <= now and e.ends_at >= now
    )
  select 'actor'::text, groups.actor, null::text, null::text, null::text from groups
  union all
  select 'related'::text, related.patient_id, related.basis, null::text, null::text from related
  union all
  select 'consent'::text, f.patient_id, f.decision, f.actor, f.category from idx_access f
   where f.kind = 'consent'
     and f.patient_id in (select related.patient_id from related)
     and (f.actor is null or f.actor in (select groups.actor from groups))
     and (f.lo is null or f.lo <= now) and (f.hi is null or f.hi >= now);
end
$$`;

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function access_decide');
  await knex.raw('drop table access_emergency');
  await knex.raw('alter table oauth_client drop column trusted');
  await knex.raw('drop table idx_access');
}
