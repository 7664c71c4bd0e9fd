import type { Principal } from '../../auth/principal.ts';
import { CUSTODIAN_SYSTEM } from '../../access/rules/treatment-relationship.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import type { StoredVersion } from '../../fhir/storage/types.ts';
import { nameOf } from '../referral/refer-letter.ts';
import { staffPractices } from './staff.ts';

export type Json = Record<string, unknown>;
export type Ref = { reference?: string } | undefined;

export const idOf = (ref: Ref, type: string): string | undefined => {
  const [t, id, ...rest] = (ref?.reference ?? '').split('/');
  return t === type && id && !rest.length ? id : undefined;
};

export const parse = (v: StoredVersion | undefined): Json | undefined =>
  v?.content && !v.deleted ? (JSON.parse(v.content) as Json) : undefined;

/** A current resource, unfiltered, in the operation's transaction. */
export const readJson = async (raw: ResourceStore, type: string, id: string | undefined) =>
  id ? parse(await raw.read(type, id)) : undefined;

export const trusted = (p: Principal) => p.kind === 'system' && (p.trusted === true || p.via === 'operator');

/** The practice's staff (GP, physician assistant, assistant) or its own system client; trusted callers anywhere. */
export function actsForPractice(principal: Principal, practice: string | undefined): boolean {
  if (trusted(principal)) return true;
  if (!practice) return false;
  if (principal.kind === 'system') return principal.organizationId === practice;
  return staffPractices(principal).includes(practice);
}

/** Whether the caller books and cancels for the practice's patients (its staff, its system, a trusted one). */
export function isPracticeSide(principal: Principal): boolean {
  return (
    trusted(principal) ||
    (principal.kind === 'system' && principal.organizationId !== undefined) ||
    staffPractices(principal).length > 0
  );
}

/** The custodian tag: the practice holds the booking as it holds its agenda. */
export const heldByPractice = (practice: string) => ({
  tag: [{ system: CUSTODIAN_SYSTEM, code: practice }],
});

/** What a booking is made of: the schedule's people and place, for the Appointment and the mail. */
export interface AgendaContext {
  practice: string;
  practiceName: string;
  /** The GP or physician assistant the time is with (the Schedule's Practitioner or PractitionerRole actors). */
  practitioners: string[];
  practitionerName: string;
  locations: string[];
}

export async function agendaContext(
  raw: ResourceStore,
  schedule: Json,
  practice: string,
): Promise<AgendaContext> {
  const refs = ((schedule.actor ?? []) as Ref[]).map((a) => a?.reference ?? '');
  const practitioners = refs.filter(
    (r) => r.startsWith('Practitioner/') || r.startsWith('PractitionerRole/'),
  );
  const names: string[] = [];
  for (const ref of practitioners) {
    const role = await readJson(raw, 'PractitionerRole', idOf({ reference: ref }, 'PractitionerRole'));
    const person = await readJson(
      raw,
      'Practitioner',
      idOf(role ? (role.practitioner as Ref) : { reference: ref }, 'Practitioner'),
    );
    const name = nameOf(person);
    if (name) names.push(name);
  }
  const organization = await readJson(raw, 'Organization', practice);
  return {
    practice,
    practiceName: (organization?.name as string | undefined) ?? `Organization/${practice}`,
    practitioners,
    practitionerName: names.join(', '),
    locations: refs.filter((r) => r.startsWith('Location/')),
  };
}
