import type { AccessFact } from '../../fhir/search/types.ts';
import { asArray, asObject, literalReference, patientId, periodRange, type Json } from './fhir-values.ts';

/**
 * The treatment relationships a resource states, and the group memberships they go through
 * (server/access/README.md, "Treatment relationship"). Only a resource in a state that still
 * holds gives facts: an ended CarePlan, a cancelled Encounter, a completed referral give none,
 * so the change holds from the next request on.
 */
export const RELATIONSHIP_BASES = [
  'care-plan',
  'general-practitioner',
  'managing-organization',
  'encounter',
  'episode-of-care',
  'referral',
] as const;
export type RelationshipBasis = (typeof RELATIONSHIP_BASES)[number];

/** Bases that end with a discharge, after which the configured grace period still counts. */
export const DISCHARGE_BASES: readonly RelationshipBasis[] = ['encounter', 'episode-of-care'];

/** Who may be an actor of a relationship or a member of a group. */
const ACTOR_TYPES = new Set([
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'CareTeam',
  'RelatedPerson',
]);

const OPEN_REFERRAL = new Set(['active', 'on-hold']);
const OPEN_TASK = new Set(['requested', 'received', 'accepted', 'ready', 'in-progress', 'on-hold']);
/**
 * A Task is a referral's workflow when it orders something; a plan's action (`intent` plan or
 * proposal, or `basedOn` a CarePlan) relates nobody: its owner is already on the plan, or, if
 * removed from it, must not keep the patient through their to-do list.
 */
const isReferralTask = (r: Record<string, unknown>) =>
  r.intent !== 'plan' &&
  r.intent !== 'proposal' &&
  !asArray(r.basedOn).some((b) => /^CarePlan\//.test(String(asObject(b)?.reference ?? '')));
const VOID = new Set(['cancelled', 'entered-in-error']);

function actors(values: unknown[]): string[] {
  return [
    ...new Set(
      values
        .flatMap((v) => asArray(v))
        .map(literalReference)
        .filter((r): r is string => r !== undefined && ACTOR_TYPES.has(r.split('/')[0]!)),
    ),
  ];
}

function relationships(
  patient: string | undefined,
  who: string[],
  basis: RelationshipBasis,
  range: { lo?: number; hi?: number } = {},
): AccessFact[] {
  if (!patient) return [];
  return who.map((actor) => ({ kind: 'relationship', patientId: patient, actor, basis, ...range }));
}

export function relationshipFacts(resource: Json & { resourceType: string; id?: string }): AccessFact[] {
  const r = resource;
  const self = r.id ? `${r.resourceType}/${r.id}` : undefined;
  switch (r.resourceType) {
    case 'CarePlan':
      if (r.status !== 'active') return [];
      return relationships(patientId(r.subject), actors([r.careTeam]), 'care-plan', periodRange(r.period));
    case 'CareTeam': {
      // A team relates its members to a patient only through an active CarePlan, so ending
      // the plan ends their access, whatever the team's own subject says.
      if (r.status !== undefined && r.status !== 'active') return [];
      return self
        ? asArray(r.participant).flatMap((p) =>
            actors([asObject(p)?.member]).map((actor) => ({
              kind: 'member' as const,
              actor,
              group: self,
              ...periodRange(asObject(p)?.period),
            })),
          )
        : [];
    }
    case 'Patient':
      return [
        ...relationships(r.id, actors([r.generalPractitioner]), 'general-practitioner'),
        ...relationships(r.id, actors([r.managingOrganization]), 'managing-organization'),
      ];
    case 'Encounter':
      if (VOID.has(r.status as string)) return [];
      return relationships(
        patientId(r.subject),
        actors([...asArray(r.participant).map((p) => asObject(p)?.individual), r.serviceProvider]),
        'encounter',
        periodRange(r.period),
      );
    case 'EpisodeOfCare':
      if (VOID.has(r.status as string)) return [];
      return relationships(
        patientId(r.patient),
        actors([r.managingOrganization, r.careManager, r.team]),
        'episode-of-care',
        periodRange(r.period),
      );
    case 'ServiceRequest':
      if (!OPEN_REFERRAL.has(r.status as string)) return [];
      return relationships(patientId(r.subject), actors([r.performer, r.requester]), 'referral');
    case 'Task':
      if (!OPEN_TASK.has(r.status as string) || !isReferralTask(r)) return [];
      return relationships(patientId(r.for), actors([r.owner, r.requester]), 'referral');
    default:
      return [];
  }
}
