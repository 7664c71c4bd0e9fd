import { randomUUID } from 'node:crypto';
import { HOLDING, practiceOfSchedule } from '../../access/rules/agenda-writes.ts';
import { CUSTODIAN_SYSTEM } from '../../access/rules/treatment-relationship.ts';
import { scopeRefusal } from '../../access/scopes/scope-policy.ts';
import { findResources } from '../../auth/find-by-identifier.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { ConcurrentWriteError } from '../../fhir/storage/errors.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse, type Language } from '../language.ts';
import { readParameters } from '../parameters.ts';
import {
  agendaContext,
  heldByPractice,
  idOf,
  isPracticeSide,
  actsForPractice,
  parse,
  readJson,
  type Ref,
} from './agenda.ts';
import { appointmentMail } from './appointment-mail.ts';
import type { PracticeDeps } from './deps.ts';
import { practicesOf } from './patient-practices.ts';
import { serviceStore } from './session-services.ts';
import { mailAddressOf } from './patient-mail.ts';

/** Another patient's booking won the time: the loser's answer (409), whoever it is. */
export function taken(language: Language, slotId: string): never {
  refuse(language, 409, 'conflict', {
    nl: `Dit tijdstip is net bezet (Slot/${slotId}): kies een ander tijdstip.`,
    en: `This time was just taken (Slot/${slotId}): choose another.`,
  });
}

/** For whom: a patient books for themself; the practice's side names the patient. */
async function bookingPatient(ctx: RestContext, named: string | undefined): Promise<string> {
  const lang = ctx.language;
  const p = ctx.principal;
  if (p.kind === 'patient') {
    if (named && named !== `Patient/${p.patientId}`) {
      refuse(lang, 403, 'forbidden', {
        nl: 'U maakt een afspraak voor uzelf; laat de praktijk een afspraak voor een ander maken.',
        en: 'You book for yourself; the practice books for someone else.',
      });
    }
    return p.patientId;
  }
  if (!isPracticeSide(p)) {
    refuse(lang, 403, 'forbidden', {
      nl: 'Een afspraak maakt de patiënt zelf, of de praktijk (huisarts, physician assistant, assistent of het systeem van de praktijk) voor een patiënt.',
      en: "An appointment is booked by the patient, or by the practice (GP, physician assistant, assistant or the practice's system) for a patient.",
    });
  }
  const id = idOf({ reference: named }, 'Patient');
  if (!id) {
    refuse(lang, 400, 'required', {
      nl: "De praktijk noemt de patiënt: parameter 'patient' (valueReference Patient/[id]).",
      en: "The practice names the patient: parameter 'patient' (valueReference Patient/[id]).",
    });
  }
  // The patient as the caller may know them: one they cannot see answers as missing.
  if ((await ctx.store.lookup('Patient', id)).kind !== 'live') {
    refuse(lang, 404, 'not-found', { nl: `Patient/${id} is niet bekend`, en: `Patient/${id} is not known` });
  }
  return id;
}

/**
 * `POST Slot/[id]/$book` (`patient` for the practice's side, `reason`, `comment`): in one
 * transaction the Slot, locked, goes from free to busy (the write checks its version too) and
 * an Appointment is made for the patient with the schedule's practitioner and place, held by
 * the practice. The row lock is what makes concurrent bookings of one Slot come out as one
 * Appointment and 409s (`taken`); a lock per patient makes the practice's limit of open
 * appointments hold under concurrency too. The patient gets a confirmation through the mail
 * outbox, in the same transaction.
 */
export function bookAppointment(deps: PracticeDeps) {
  return async (given: RestContext, slotId: string, req: FhirRequest): Promise<FhirResult> => {
    const lang = given.language;
    // An e-mail account's session opened this service: its rows of the record through the service's store.
    const ctx: RestContext = { ...given, store: serviceStore(given, 'appointments') };
    const p = readParameters(req.body, lang, '$book');
    if (!ctx.store.access.allows('c', 'Appointment')) {
      throw scopeRefusal(ctx.store.access.describe, 'c', 'Appointment');
    }
    const patientId = await bookingPatient(ctx, p.reference('patient'));
    const reason = p.string('reason');
    const comment = p.string('comment');
    const asPatient = ctx.principal.kind === 'patient';
    const now = deps.clock();
    function unknown(): never {
      refuse(lang, 404, 'not-found', {
        nl: `Slot/${slotId} is niet bekend`,
        en: `Slot/${slotId} is not known`,
      });
    }

    const run = () =>
      ctx.store.transaction(async (store, raw) => {
        const current = await raw.readForUpdate('Slot', slotId);
        const slot = parse(current);
        const schedule = slot && (await readJson(raw, 'Schedule', idOf(slot.schedule as Ref, 'Schedule')));
        const practice = practiceOfSchedule(schedule as Resource | undefined);
        const patient = await readJson(raw, 'Patient', patientId);
        const practices = await practicesOf(patient, (t, id) => readJson(raw, t, id));
        // A patient knows only their practice's agenda: another practice's Slot is missing to them.
        if (!slot || !schedule || !practice || (asPatient && !practices.includes(practice))) unknown();
        if (!asPatient && !actsForPractice(ctx.principal, practice)) {
          refuse(lang, 403, 'forbidden', {
            nl: `Slot/${slotId} is van de agenda van Organization/${practice}: alleen die praktijk boekt erin.`,
            en: `Slot/${slotId} is in the agenda of Organization/${practice}: only that practice books in it.`,
          });
        }
        if (!practices.includes(practice)) {
          refuse(lang, 422, 'business-rule', {
            nl: `Patient/${patientId} is geen patiënt van Organization/${practice} (generalPractitioner of managingOrganization).`,
            en: `Patient/${patientId} is not a patient of Organization/${practice} (generalPractitioner or managingOrganization).`,
          });
        }
        if (slot.status !== 'free' || schedule.active === false) taken(lang, slotId);
        const start = slot.start as string;
        if (!(Date.parse(start) > now.getTime())) {
          refuse(lang, 409, 'business-rule', {
            nl: `Dit tijdstip (${start}) is voorbij: kies een later tijdstip.`,
            en: `This time (${start}) has passed: choose a later one.`,
          });
        }
        await limitOpen(ctx, raw, deps.config.appointments.maxOpen, patientId, practice, now);

        const agenda = await agendaContext(raw, schedule, practice);
        const onBehalf = store.onBehalf(raw);
        await onBehalf.write(
          {
            resourceType: 'Slot',
            id: slotId,
            method: 'PUT',
            resource: { ...slot, status: 'busy' } as unknown as Resource,
          },
          current,
        );
        const id = randomUUID();
        const appointment: Resource = {
          resourceType: 'Appointment',
          meta: heldByPractice(practice),
          status: 'booked',
          ...(schedule.serviceType ? { serviceType: schedule.serviceType } : {}),
          ...(schedule.specialty ? { specialty: schedule.specialty } : {}),
          ...(reason ? { reasonCode: [{ text: reason }] } : {}),
          start,
          end: slot.end as string,
          slot: [{ reference: `Slot/${slotId}` }],
          created: now.toISOString().slice(0, 10),
          ...(comment ? { comment } : {}),
          participant: [
            { actor: { reference: `Patient/${patientId}` }, required: 'required', status: 'accepted' },
            ...agenda.practitioners.map((reference) => ({
              actor: { reference },
              required: 'required',
              status: 'accepted',
            })),
            ...agenda.locations.map((reference) => ({ actor: { reference }, status: 'accepted' })),
          ],
        };
        const [written] = await onBehalf.insertNew([
          { resourceType: 'Appointment', id, resource: appointment },
        ]);
        const to = await mailAddressOf(raw, deps.search, patientId, patient, now);
        if (to) await deps.mailer.send(raw.jobs, appointmentMail(to, 'booked', start, agenda, id));
        return { id, resource: written!.resource! };
      });
    let booked: Awaited<ReturnType<typeof run>>;
    try {
      booked = await run();
    } catch (err) {
      // The row lock makes this rare; a write that lost the Slot's version anyway lost the time.
      if (err instanceof ConcurrentWriteError) taken(lang, slotId);
      throw err;
    }
    return {
      status: 201,
      headers: { location: `${ctx.baseUrl}/Appointment/${booked.id}/_history/1` },
      resource: booked.resource,
    };
  };
}

/**
 * At most `max` future appointments of the patient at the practice, counted under a lock per
 * patient (in the transaction), so two bookings at once cannot both be the last one allowed.
 */
async function limitOpen(
  ctx: RestContext,
  raw: ResourceStore,
  max: number,
  patientId: string,
  practice: string,
  now: Date,
): Promise<void> {
  await raw.lock(`zorgpoort:appointments:Patient/${patientId}`);
  const query = [
    `patient=Patient/${patientId}`,
    `status=${HOLDING.join(',')}`,
    `date=${encodeURIComponent(`gt${now.toISOString()}`)}`,
    `_tag=${encodeURIComponent(`${CUSTODIAN_SYSTEM}|${practice}`)}`,
  ].join('&');
  const open = await findResources(raw, ctx.search, 'Appointment', query, max + 1);
  if (open.length < max) return;
  refuse(ctx.language, 409, 'business-rule', {
    nl: `U heeft al ${open.length} afspraken staan bij deze praktijk (ten hoogste ${max}): annuleer er een of bel de praktijk.`,
    en: `You already have ${open.length} appointments at this practice (at most ${max}): cancel one or call the practice.`,
  });
}
