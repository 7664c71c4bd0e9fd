import { BSN_SYSTEM, findResources } from '../../auth/find-by-identifier.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { collectiveOf } from '../../access/rules/collective-managed.ts';
import { custodianOf } from '../../access/rules/treatment-relationship.ts';
import { FhirError } from '../../fhir/errors.ts';
import {
  COLLECTIVE_ROLE_SYSTEM,
  COLLECTIVE_TAG_SYSTEM,
  GRN_SYSTEM,
  ZRN_SYSTEM,
  type CollectiveRole,
} from './vocabulary.ts';

type Coding = { system?: string; code?: string };
type Reference = { reference?: string };
/** A stored resource as the operations read it: FHIR JSON of many shapes, each field read defensively. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Resource & Record<string, any>;

/** A collective holds up to this many of each (members, groups, plans) in one answer. */
const MOST = 10_000;

const idOf = (reference: string | undefined, type: string) =>
  reference?.startsWith(`${type}/`) ? reference.slice(type.length + 1) : undefined;

/** The collective roles a membership (PractitionerRole) carries. */
export function rolesIn(membership: Json | undefined): Set<CollectiveRole> {
  if (!membership || membership.active === false) return new Set();
  return new Set(
    ((membership.code ?? []) as { coding?: Coding[] }[])
      .flatMap((c) => c.coding ?? [])
      .filter((c) => c.system === COLLECTIVE_ROLE_SYSTEM)
      .map((c) => c.code as CollectiveRole),
  );
}

/** A person's first name as they would write it: given names, then family name. */
export function nameOf(person: Json | undefined): string {
  const name = ((person?.name ?? []) as { family?: string; given?: string[] }[])[0];
  return name ? [...(name.given ?? []), name.family].filter(Boolean).join(' ') : '';
}

export const practitionerOf = (membership: Json) =>
  idOf((membership.practitioner as Reference | undefined)?.reference, 'Practitioner');

export const identifierValue = (r: Json, system: string): string | undefined =>
  ((r.identifier ?? []) as { system?: string; value?: string }[]).find((i) => i.system === system)?.value;

/** Members of a CareTeam that are Practitioners / CareTeams (a plan team lists groups too). */
export function teamMembers(team: Json, type: 'Practitioner' | 'CareTeam'): string[] {
  return ((team.participant ?? []) as { member?: Reference; period?: { end?: string } }[])
    .filter((p) => !p.period?.end || Date.parse(p.period.end) > Date.now())
    .flatMap((p) => idOf(p.member?.reference, type) ?? []);
}

/**
 * What the collective operations read: current resources, straight from the store and its
 * search index (the operations decide by their own rules who may do what, before they write).
 */
export function createCollectiveDirectory(deps: { store: ResourceStore; search: SearchEngine }) {
  const { store, search } = deps;
  const find = (type: string, query: string, limit = MOST) =>
    findResources(store, search, type, query, limit) as Promise<Json[]>;
  /** The one current resource with this identifier; two are a data error the service desk resolves. */
  async function only(type: string, system: string, value: string): Promise<Json | undefined> {
    const found = (await find(type, `identifier=${encodeURIComponent(`${system}|${value}`)}`, 5)).filter(
      (r) => identifierValue(r, system) === value,
    );
    if (found.length > 1) {
      throw new FhirError(
        409,
        `${found.length} ${type} records have ${value}; ask the service desk to merge them / ` +
          `${found.length} ${type}-records hebben ${value}; vraag de servicedesk ze samen te voegen`,
        { code: 'multiple-matches' },
      );
    }
    return found[0];
  }
  const tagged = (collectiveId: string) =>
    `_tag=${encodeURIComponent(`${COLLECTIVE_TAG_SYSTEM}|${collectiveId}`)}`;

  async function read(type: string, id: string): Promise<Json | undefined> {
    const v = await store.read(type, id);
    return v?.content ? (JSON.parse(v.content) as Json) : undefined;
  }

  return {
    read,

    /** The Practitioner with this ZRN, compared exactly (a ZRN is case-sensitive). */
    practitionerByZrn: (zrn: string) => only('Practitioner', ZRN_SYSTEM, zrn),

    /**
     * The patient a plan is for, by BSN. One person may have a record per organisation (a
     * referrer makes its own when it could not see another's): the collective's own record, else
     * the only one there is; of several held by others none is chosen (the plan makes its own).
     * The collective's own: held by it, or by no organisation (a caregiver's login for none).
     */
    async patientByBsn(bsn: string, collectiveId: string): Promise<Json | undefined> {
      const found = (
        await find('Patient', `identifier=${encodeURIComponent(`${BSN_SYSTEM}|${bsn}`)}`, 20)
      ).filter((r) => identifierValue(r, BSN_SYSTEM) === bsn);
      const own = found.filter((r) => [collectiveId, undefined].includes(custodianOf(r as Resource)));
      if (own.length > 1) {
        throw new FhirError(
          409,
          `${own.length} Patient records of this collective have ${bsn}; ask the service desk to merge them / ` +
            `${own.length} patiëntrecords van dit zorgcollectief hebben ${bsn}; vraag de servicedesk ze samen te voegen`,
          { code: 'multiple-matches' },
        );
      }
      return own[0] ?? (found.length === 1 ? found[0] : undefined);
    },

    /** A collective's group by GRN (a CareTeam no collective manages is no group, whatever it says). */
    async groupByGrn(grn: string): Promise<Json | undefined> {
      const group = await only('CareTeam', GRN_SYSTEM, grn);
      return group && collectiveOf(group) ? group : undefined;
    },

    /** A care collective: an Organization tagged as its own collective (set up by $create-collective). */
    async collective(id: string): Promise<Json | undefined> {
      const org = await read('Organization', id);
      return org && collectiveOf(org) === id ? org : undefined;
    },

    /** The practitioner's membership of the collective (active or not), if any. */
    async membership(collectiveId: string, practitionerId: string): Promise<Json | undefined> {
      const found = await find(
        'PractitionerRole',
        `practitioner=Practitioner/${encodeURIComponent(practitionerId)}&${tagged(collectiveId)}`,
      );
      return found.find(
        (r) => (r.organization as Reference | undefined)?.reference === `Organization/${collectiveId}`,
      );
    },

    /** Every membership of the collective, active ones and ended ones. */
    members: (collectiveId: string) => find('PractitionerRole', tagged(collectiveId)),

    /** The collective's caregiver groups (CareTeams with a GRN). */
    async groups(collectiveId: string): Promise<Json[]> {
      return (await find('CareTeam', tagged(collectiveId))).filter((t) => identifierValue(t, GRN_SYSTEM));
    },

    /** The collective's groups with this practitioner as a member. */
    async groupsOf(collectiveId: string, practitionerId: string): Promise<Json[]> {
      const teams = await find(
        'CareTeam',
        `participant=Practitioner/${encodeURIComponent(practitionerId)}&${tagged(collectiveId)}`,
      );
      return teams.filter(
        (t) => identifierValue(t, GRN_SYSTEM) && teamMembers(t, 'Practitioner').includes(practitionerId),
      );
    },

    plans: (collectiveId: string) => find('CarePlan', tagged(collectiveId)),

    /** The consents a plan's team is named in, written by the collective (its plan consent). */
    planConsents: (collectiveId: string, teamId: string) =>
      find('Consent', `actor=CareTeam/${encodeURIComponent(teamId)}&${tagged(collectiveId)}`),

    /** Plan teams (CareTeams of plans) that list this group or practitioner. */
    teamsListing: (collectiveId: string, member: string) =>
      find('CareTeam', `participant=${encodeURIComponent(member)}&${tagged(collectiveId)}`),
  };
}

export type CollectiveDirectory = ReturnType<typeof createCollectiveDirectory>;
