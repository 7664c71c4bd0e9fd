import type { Knex } from 'knex';

/** A consent rule that applies to a caller (its actor is theirs, or it names no actor). */
export interface ConsentRow {
  patientId: string;
  decision: 'permit' | 'deny';
  /** Null: the rule names no actor (it is about everyone). */
  actor: string | null;
  /** Null: the rule names no data category (it is about all data). */
  category: string | null;
}

/**
 * The access gate's reads of the facts kept in `idx_access` (see search-index-writer.ts): one
 * statement each, run for every request of a caller the gate restricts, so a changed
 * relationship or consent holds from the next request on, on every node.
 */
export interface AccessFacts {
  /** The actors and every group (CareTeam) they are a member of at `now`, through nested groups. */
  withGroups(actors: readonly string[], now: number): Promise<string[]>;
  /**
   * Patients with a treatment relationship to one of the actors at `now`, with its bases (an
   * open break-the-glass grant is one of basis `emergency`).
   */
  relationships(
    actors: readonly string[],
    now: number,
    /** How long after their end a relationship of these bases still holds (a discharge). */
    grace: { bases: readonly string[]; ms: number },
  ): Promise<{ patientId: string; basis: string }[]>;
  /** The consent rules of these patients at `now` that name one of the actors or no actor. */
  consents(patients: readonly string[], actors: readonly string[], now: number): Promise<ConsentRow[]>;
  /** `system|code` of each type of these Organizations, by id. */
  organizationTypes(organizationIds: readonly string[]): Promise<Map<string, string[]>>;
}

const ACTIVE = `(f.lo is null or f.lo <= ?) and (f.hi is null or f.hi >= ?)`;
const json = (values: readonly string[]) => JSON.stringify(values);

export function createAccessFacts(db: Knex | Knex.Transaction): AccessFacts {
  return {
    async withGroups(actors, now) {
      if (!actors.length) return [];
      // `union` (not `union all`) ends a cycle of groups that contain each other.
      const { rows } = (await db.raw(
        `with recursive g(actor) as (
           select jsonb_array_elements_text(?::jsonb)
           union
           select f.grp from idx_access f join g on f.actor = g.actor
            where f.kind = 'member' and ${ACTIVE}
         )
         select actor from g`,
        [json(actors), now, now],
      )) as { rows: { actor: string }[] };
      return rows.map((r) => r.actor);
    },

    async relationships(actors, now, grace) {
      if (!actors.length) return [];
      // Break-the-glass grants are relationships of basis `emergency`, to one practitioner.
      const { rows } = (await db.raw(
        `select distinct f.patient_id, f.basis from idx_access f
          where f.kind = 'relationship'
            and f.actor in (select jsonb_array_elements_text(?::jsonb))
            and (f.lo is null or f.lo <= ?)
            and (f.hi is null or f.hi + case when f.basis in (select jsonb_array_elements_text(?::jsonb))
                                             then ?::bigint else 0 end >= ?)
         union
         select e.patient_id, 'emergency' from access_emergency e
          where 'Practitioner/' || e.practitioner_id in (select jsonb_array_elements_text(?::jsonb))
            and e.started_at <= ? and e.ends_at >= ?`,
        [json(actors), now, json(grace.bases), grace.ms, now, json(actors), now, now],
      )) as { rows: { patient_id: string; basis: string }[] };
      return rows.map((r) => ({ patientId: r.patient_id, basis: r.basis }));
    },

    async consents(patients, actors, now) {
      if (!patients.length) return [];
      const { rows } = (await db.raw(
        `select f.patient_id, f.decision, f.actor, f.category from idx_access f
          where f.kind = 'consent'
            and f.patient_id in (select jsonb_array_elements_text(?::jsonb))
            and (f.actor is null or f.actor in (select jsonb_array_elements_text(?::jsonb)))
            and ${ACTIVE}`,
        [json(patients), json(actors), now, now],
      )) as {
        rows: {
          patient_id: string;
          decision: 'permit' | 'deny';
          actor: string | null;
          category: string | null;
        }[];
      };
      return rows.map((r) => ({
        patientId: r.patient_id,
        decision: r.decision,
        actor: r.actor,
        category: r.category,
      }));
    },

    async organizationTypes(organizationIds) {
      const types = new Map<string, string[]>();
      if (!organizationIds.length) return types;
      const { rows } = (await db.raw(
        `select distinct r.id, t.system, t.code from idx_token t join resource r on r.rid = t.rid
          where r.resource_type = 'Organization' and not r.deleted
            and r.id in (select jsonb_array_elements_text(?::jsonb))
            and t.param = 'Organization.type' and t.code is not null`,
        [json(organizationIds)],
      )) as { rows: { id: string; system: string | null; code: string }[] };
      for (const r of rows) types.set(r.id, [...(types.get(r.id) ?? []), `${r.system ?? ''}|${r.code}`]);
      return types;
    },
  };
}

/** A break-the-glass grant (server/access/rules/break-the-glass.ts). */
export interface EmergencyGrant {
  id: string;
  practitionerId: string;
  patientId: string;
  organizationId?: string;
  reason: string;
  startedAt: number;
  endsAt: number;
}

export async function insertEmergencyGrant(db: Knex | Knex.Transaction, g: EmergencyGrant): Promise<void> {
  await db.raw(
    `insert into access_emergency (id, practitioner_id, patient_id, organization_id, reason, started_at, ends_at)
     values (?, ?, ?, ?, ?, ?, ?)`,
    [g.id, g.practitionerId, g.patientId, g.organizationId ?? null, g.reason, g.startedAt, g.endsAt],
  );
}
