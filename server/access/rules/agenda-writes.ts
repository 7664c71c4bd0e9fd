import type { Principal } from '../../auth/principal.ts';
import { findResources } from '../../auth/find-by-identifier.ts';
import { actsForPractice, trusted } from '../../domain/practice/agenda.ts';
import { FhirError } from '../../fhir/errors.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import type { AccessPolicy, CheckedWrite, Resource } from '../policy.ts';
import { custodianOf } from './treatment-relationship.ts';

type Ref = { reference?: string } | undefined;

/** The statuses of an Appointment that still holds its Slot. */
export const HOLDING = ['proposed', 'pending', 'booked', 'arrived', 'checked-in'];
const STAFF = 'GP, physician assistant or assistant (huisarts, physician assistant of assistent)';

function refuse(status: number, en: string, nl: string): never {
  throw new FhirError(status, `${en} / ${nl}`, {
    code: status === 409 ? 'conflict' : status === 422 ? 'business-rule' : 'forbidden',
  });
}

const idOf = (ref: Ref, type: string): string | undefined => {
  const [t, id, ...rest] = (ref?.reference ?? '').split('/');
  return t === type && id && !rest.length ? id : undefined;
};
const actors = (schedule: Resource) => ((schedule.actor ?? []) as Ref[]).map((a) => a?.reference ?? '');

/** A practice's agenda Schedule names no patient (one that does is that patient's). */
const isAgenda = (schedule: Resource) => !actors(schedule).some((a) => a.startsWith('Patient/'));

/** The practice a Schedule is the agenda of: its one Organization actor. */
export function practiceOfSchedule(schedule: Resource | undefined): string | undefined {
  const orgs = ((schedule?.actor ?? []) as Ref[]).flatMap((a) => idOf(a, 'Organization') ?? []);
  return orgs.length === 1 ? orgs[0] : undefined;
}

function mustActFor(principal: Principal, practice: string | undefined, what: string): void {
  if (actsForPractice(principal, practice)) return;
  const whose = practice ? `Organization/${practice}` : 'no practice';
  refuse(
    403,
    `${what} is the agenda of ${whose}: only its ${STAFF} or its own system client changes it`,
    `${what} is de agenda van ${whose}: alleen de eigen ${STAFF} of het eigen systeem van de praktijk wijzigt die`,
  );
}

/** The agenda is held by its practice (its custodian tag, which patients' reads go by). */
function mustBeHeldBy(resource: Resource, practice: string, what: string): void {
  if (custodianOf(resource) === practice) return;
  refuse(
    403,
    `${what} would be held by ${custodianOf(resource) ? `Organization/${custodianOf(resource)}` : 'no organisation'}, not by its practice Organization/${practice}: log in for that practice`,
    `${what} zou van ${custodianOf(resource) ? `Organization/${custodianOf(resource)}` : 'geen organisatie'} worden, niet van de praktijk Organization/${practice}: log in voor die praktijk`,
  );
}

async function current(raw: ResourceStore, type: string, id: string | undefined) {
  const v = id ? await raw.read(type, id) : undefined;
  return v?.content && !v.deleted ? (JSON.parse(v.content) as Resource) : undefined;
}

async function checkSchedule(principal: Principal, write: CheckedWrite): Promise<void> {
  const what = `Schedule/${write.id}`;
  if (write.before && isAgenda(write.before)) {
    mustActFor(principal, custodianOf(write.before) ?? practiceOfSchedule(write.before), what);
  }
  if (!write.after || !isAgenda(write.after)) return;
  const practice = practiceOfSchedule(write.after);
  if (!practice) {
    refuse(
      422,
      `${what}: a practice's Schedule names the practice as its one Organization actor, beside the GP or physician assistant (Practitioner or PractitionerRole)`,
      `${what}: een Schedule van een praktijk noemt de praktijk als enige Organization-actor, naast de huisarts of physician assistant (Practitioner of PractitionerRole)`,
    );
  }
  mustActFor(principal, practice, what);
  mustBeHeldBy(write.after, practice, what);
}

/** The bookings that hold a Slot now (at most one, by $book). */
const holdingAppointments = (raw: ResourceStore, search: SearchEngine, slotId: string) =>
  findResources(raw, search, 'Appointment', `slot=Slot/${slotId}&status=${HOLDING.join(',')}`, 1);

async function checkSlot(
  principal: Principal,
  search: SearchEngine,
  write: CheckedWrite,
  raw: ResourceStore,
): Promise<void> {
  const what = `Slot/${write.id}`;
  const { before, after } = write;
  if (before) {
    const schedule = await current(raw, 'Schedule', idOf(before.schedule as Ref, 'Schedule'));
    mustActFor(principal, custodianOf(before) ?? practiceOfSchedule(schedule), what);
  }
  if (after) {
    const scheduleId = idOf(after.schedule as Ref, 'Schedule');
    const schedule = await current(raw, 'Schedule', scheduleId);
    const practice = practiceOfSchedule(schedule);
    if (!schedule || !practice) {
      refuse(
        422,
        `${what}: its schedule (${scheduleId ? `Schedule/${scheduleId}` : 'none'}) is no practice's Schedule here`,
        `${what}: het schema (${scheduleId ? `Schedule/${scheduleId}` : 'geen'}) is hier geen Schedule van een praktijk`,
      );
    }
    mustActFor(principal, practice, what);
    mustBeHeldBy(after, practice, what);
  }
  // A booked Slot is freed, moved or removed only with its appointment ($cancel), or the time
  // would be given out twice.
  const unchanged =
    after &&
    after.status === before?.status &&
    after.start === before?.start &&
    after.end === before?.end &&
    (after.schedule as Ref)?.reference === (before?.schedule as Ref)?.reference;
  if (before?.status === 'busy' && !unchanged) {
    const [booking] = await holdingAppointments(raw, search, write.id);
    if (booking) {
      refuse(
        409,
        `${what} is booked (Appointment/${String(booking.id)}): cancel that with Appointment/${String(booking.id)}/$cancel first`,
        `${what} is geboekt (Appointment/${String(booking.id)}): annuleer die eerst met Appointment/${String(booking.id)}/$cancel`,
      );
    }
  }
}

const slotsOf = (a: Resource | undefined) => ((a?.slot ?? []) as Ref[]).map((s) => s?.reference ?? '');

async function checkAppointment(
  principal: Principal,
  write: CheckedWrite,
  raw: ResourceStore,
): Promise<void> {
  const { before, after } = write;
  const slots = [...new Set([...slotsOf(before), ...slotsOf(after)])];
  if (!slots.length) return;
  const what = `Appointment/${write.id}`;
  const through = {
    en: 'a booking is made with Slot/[id]/$book and cancelled with Appointment/[id]/$cancel',
    nl: 'een afspraak wordt gemaakt met Slot/[id]/$book en geannuleerd met Appointment/[id]/$cancel',
  };
  const slot = await current(raw, 'Slot', idOf({ reference: slots[0] }, 'Slot'));
  const practice = custodianOf(before ?? after) ?? (slot && custodianOf(slot));
  if (!actsForPractice(principal, practice)) {
    refuse(
      403,
      `${what} is a booking in a practice's agenda: ${through.en}`,
      `${what} is een afspraak in de agenda van een praktijk: ${through.nl}`,
    );
  }
  const holds = (a: Resource | undefined) => a !== undefined && HOLDING.includes(a.status as string);
  // Done with (fulfilled, noshow), the time stays taken; anything else that lets go of the Slot
  // must free it in the same transaction, which $cancel does.
  const refused = !before
    ? true
    : !after
      ? holds(before)
      : slotsOf(before).join() !== slotsOf(after).join() ||
        before.start !== after.start ||
        before.end !== after.end ||
        (holds(before) && !holds(after) && !['fulfilled', 'noshow'].includes(after.status as string));
  if (refused) {
    refuse(
      422,
      `${what}: its slot, time and cancellation change only through the agenda's operations: ${through.en}`,
      `${what}: tijdstip, slot en annulering veranderen alleen via de operaties van de agenda: ${through.nl}`,
    );
  }
}

/**
 * Who writes a practice's agenda (server/access/README.md, "A practice's agenda"): Schedules and
 * Slots only the practice's staff (GP, physician assistant, assistant: staffPractices) and the
 * practice's own system client, for their own practice — judged on the version before and after,
 * so nothing moves out of or into another practice's agenda — and held by that practice (its
 * custodian tag, which is what patients read by). A booked Slot is not freed, moved or removed
 * while its appointment holds it, and an Appointment in the agenda (one naming a Slot) is
 * created, moved and cancelled only through `$book` and `$cancel`; its practice's staff may
 * otherwise update it (arrived, fulfilled, noshow). Trusted callers and the operator are the
 * whole server and are not asked.
 */
export function withAgendaWriteRule(
  policy: AccessPolicy,
  principal: Principal,
  search: SearchEngine,
): AccessPolicy {
  // Conformance tokens (test mode only) load fixtures as a system would.
  if (trusted(principal) || (principal.kind === 'patient' && principal.writeAll)) return policy;
  return {
    ...policy,
    checkWrite: async (write, raw) => {
      await policy.checkWrite?.(write, raw);
      if (write.resourceType === 'Schedule') await checkSchedule(principal, write);
      else if (write.resourceType === 'Slot') await checkSlot(principal, search, write, raw);
      else if (write.resourceType === 'Appointment') await checkAppointment(principal, write, raw);
    },
  };
}
