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

/** What the gate reads at the start of a request (one statement). */
export interface GateFacts {
  /** The facts' counter they were read at (migration 009): while it stands, they stand. */
  epoch: string;
  /** Epoch ms at which a period they rest on starts or ends; null: none will. */
  until: number | null;
  /** The actors, their organisations' types (`code:<system>|<code>`) and every group they are in. */
  actors: string[];
  /** Patients with a treatment relationship to one of the actors, with its bases. */
  relationships: { patientId: string; basis: string }[];
  /** Those patients' consent rules that name one of the actors or no actor. */
  consents: ConsentRow[];
}

/**
 * The access gate's reads of the facts kept in `idx_access` (see search-index-writer.ts), run
 * for every request of a caller the gate restricts, so a changed relationship or consent holds
 * from the next request on, on every node.
 */
export interface AccessFacts {
  /**
   * In one statement, at `now`: the actors with their organisations' types and, through nested
   * groups (CareTeam memberships within their period), every group they are in; the patients
   * related to any of them (an open break-the-glass grant is a relationship of basis
   * `emergency`; the bases in `grace` still hold `grace.ms` after their end: a discharge); and
   * those patients' consent rules about them.
   */
  decide(
    actors: readonly string[],
    organizations: readonly string[],
    now: number,
    grace: { bases: readonly string[]; ms: number },
    /** The counter of facts read before: `same` when nothing has changed since. */
    known?: string,
  ): Promise<GateFacts | 'same'>;
  /** `system|code` of each type of these Organizations, by id. */
  organizationTypes(organizationIds: readonly string[]): Promise<Map<string, string[]>>;
}

const json = (values: readonly string[]) => JSON.stringify(values);

/** One statement: access_decide_since() (migration 009) keeps its plan per connection. */
const DECIDE = `select k, a, b, c, d from access_decide_since(?::bigint, ?::jsonb, ?::jsonb, ?::bigint, ?::jsonb, ?::bigint)`;

export function createAccessFacts(db: Knex | Knex.Transaction): AccessFacts {
  return {
    async decide(actors, organizations, now, grace, known) {
      const { rows } = (await db.raw(DECIDE, [
        known ?? null,
        json(actors),
        json(organizations),
        now,
        json(grace.bases),
        grace.ms,
      ])) as { rows: { k: string; a: string; b: string | null; c: string | null; d: string | null }[] };
      if (rows[0]?.k === 'same') return 'same';
      const out: GateFacts = { epoch: '', until: null, actors: [], relationships: [], consents: [] };
      for (const r of rows) {
        if (r.k === 'epoch') out.epoch = r.a;
        else if (r.k === 'until') out.until = r.a === null ? null : Number(r.a);
        else if (r.k === 'actor') out.actors.push(r.a);
        else if (r.k === 'related') out.relationships.push({ patientId: r.a, basis: r.b! });
        else
          out.consents.push({
            patientId: r.a,
            decision: r.b as 'permit' | 'deny',
            actor: r.c,
            category: r.d,
          });
      }
      return out;
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
