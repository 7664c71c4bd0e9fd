import type { Knex } from 'knex';
import { ACCESS_DECIDE } from './006_access_facts.ts';

/**
 * The gate's decision may be kept between requests, but never served stale. Every transaction
 * that changes what a decision is read from (the access facts, the break-the-glass grants, an
 * Organization's type) bumps one counter as it commits, in the same transaction: a deferred
 * constraint trigger, so the counter's row lock is taken last and held only for the commit
 * (taken mid-transaction it could deadlock against the rows a Bundle writes after it). A kept
 * decision is used only while the counter is the one it was read with and time has not reached
 * the first start or end of a period it rests on (`until`): `access_decide_since` answers
 * `same` or decides afresh, reading the counter and the facts in one snapshot.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `create table access_epoch (one boolean primary key default true check (one), epoch bigint not null)`,
  );
  await knex.raw(`insert into access_epoch (one, epoch) values (true, 1)`);
  await knex.raw(`
    create function access_epoch_bump() returns trigger language plpgsql as $$
    begin
      -- once per transaction, however many rows changed
      if current_setting('zorgpoort.access_epoch_bumped', true) is distinct from txid_current()::text then
        update access_epoch set epoch = epoch + 1;
        perform set_config('zorgpoort.access_epoch_bumped', txid_current()::text, true);
      end if;
      return null;
    end $$`);
  const trigger = (name: string, on: string, events: string, when = '') =>
    knex.raw(`create constraint trigger ${name} after ${events} on ${on}
              deferrable initially deferred for each row ${when} execute function access_epoch_bump()`);
  await trigger('access_epoch_facts', 'idx_access', 'insert or update or delete');
  await trigger('access_epoch_emergency', 'access_emergency', 'insert or update or delete');
  await trigger('access_epoch_org_type_in', 'idx_token', 'insert', `when (new.param = 'Organization.type')`);
  await trigger('access_epoch_org_type_out', 'idx_token', 'delete', `when (old.param = 'Organization.type')`);
  await knex.raw(ACCESS_DECIDE_SINCE);
  await knex.raw('drop function access_decide');
}

/**
 * access_decide (migration 006) with the counter: `same` when it is still `known`; else the
 * counter (`epoch`), the decision's rows, and `until`: the first moment after `now` at which a
 * period the decision rests on starts or ends (a membership, a relationship with its grace, a
 * break-the-glass grant, a consent rule), or null when none will.
 */
const ACCESS_DECIDE_SINCE = `
create function access_decide_since(known bigint, actors jsonb, organizations jsonb, now bigint,
                                    grace_bases jsonb, grace_ms bigint)
returns table (k text, a text, b text, c text, d text)
language plpgsql stable as $$
declare
  current bigint;
begin
  select e.epoch into current from access_epoch e;
  if current = known then
    return query select 'same'::text, current::text, null::text, null::text, null::text;
    return;
  end if;
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
    relationships as (
      select f.patient_id, f.basis, f.lo,
             f.hi + case when f.basis in (select jsonb_array_elements_text(grace_bases)) then grace_ms else 0 end as hi
        from idx_access f
       where f.kind = 'relationship' and f.actor in (select groups.actor from groups)
    ),
    emergencies as (
      select e.patient_id, e.started_at as lo, e.ends_at as hi from access_emergency e
       where 'Practitioner/' || e.practitioner_id in (select groups.actor from groups)
         and (e.organization_id is null or 'Organization/' || e.organization_id in (select groups.actor from groups))
    ),
    related(patient_id, basis) as (
      select r.patient_id, r.basis from relationships r
       where (r.lo is null or r.lo <= now) and (r.hi is null or r.hi >= now)
      union
      select e.patient_id, 'emergency'::text from emergencies e where e.lo <= now and e.hi >= now
    ),
    consents as (
      select f.patient_id, f.decision, f.actor, f.category, f.lo, f.hi from idx_access f
       where f.kind = 'consent'
         and f.patient_id in (select related.patient_id from related)
         -- '*': a deny about an actor the server cannot read, about everyone (consent-rules.ts)
         and (f.actor is null or f.actor = '*' or f.actor in (select groups.actor from groups))
    ),
    periods(lo, hi) as (
      select f.lo, f.hi from idx_access f
       where f.kind = 'member' and f.actor in (select groups.actor from groups)
      union all select r.lo, r.hi from relationships r
      union all select e.lo, e.hi from emergencies e
      union all select c.lo, c.hi from consents c
    )
  select 'epoch'::text, current::text, null::text, null::text, null::text
  union all
  select 'actor'::text, groups.actor, null::text, null::text, null::text from groups
  union all
  select 'related'::text, related.patient_id, related.basis, null::text, null::text from related
  union all
  select 'consent'::text, c.patient_id, c.decision, c.actor, c.category from consents c
   where (c.lo is null or c.lo <= now) and (c.hi is null or c.hi >= now)
  union all
  select 'until'::text, min(t)::text, null::text, null::text, null::text
    from (select p.lo as t from periods p where p.lo > now
          union all select p.hi + 1 from periods p where p.hi >= now) bounds;
end
$$`;

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function access_decide_since');
  for (const [name, on] of [
    ['access_epoch_facts', 'idx_access'],
    ['access_epoch_emergency', 'access_emergency'],
    ['access_epoch_org_type_in', 'idx_token'],
    ['access_epoch_org_type_out', 'idx_token'],
  ]) {
    await knex.raw(`drop trigger ${name} on ${on}`);
  }
  await knex.raw('drop function access_epoch_bump');
  await knex.raw('drop table access_epoch');
  await knex.raw(ACCESS_DECIDE);
}
