import { HOLDING, practiceOfSchedule } from '../../access/rules/agenda-writes.ts';
import { custodianOf } from '../../access/rules/treatment-relationship.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { actsForPractice, agendaContext, idOf, parse, readJson, type Json, type Ref } from './agenda.ts';
import { appointmentMail } from './appointment-mail.ts';
import type { PracticeDeps } from './deps.ts';
import { serviceStore } from './session-services.ts';
import { mailAddressOf } from './patient-mail.ts';

const REASONS = 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason';

/**
 * `POST Appointment/[id]/$cancel` (`reason`): the booking ends and its time is free again, in one
 * transaction (the Appointment and then its Slot locked, in that order). The patient cancels their
 * own until `PRACTICE_CANCEL_HOURS` before the start, after that they call the practice; the
 * practice's staff and system cancel any booking of their practice. An Appointment the caller
 * may not see is missing (404). The patient gets a confirmation without the reason.
 */
export function cancelAppointment(deps: PracticeDeps) {
  return async (given: RestContext, id: string, req: FhirRequest): Promise<FhirResult> => {
    const lang = given.language;
    // An e-mail account's session opened this service: its rows of the record through the service's store.
    const ctx: RestContext = { ...given, store: serviceStore(given, 'appointments') };
    const reason = readParameters(req.body, lang, '$cancel').string('reason');
    const asPatient = ctx.principal.kind === 'patient';
    const now = deps.clock();
    function unknown(): never {
      refuse(lang, 404, 'not-found', {
        nl: `Appointment/${id} is niet bekend`,
        en: `Appointment/${id} is not known`,
      });
    }
    if ((await ctx.store.lookup('Appointment', id)).kind !== 'live') unknown();

    const cancelled = await ctx.store.transaction(async (store, raw) => {
      const current = await raw.readForUpdate('Appointment', id);
      const appointment = parse(current);
      if (!appointment) unknown();
      const slotIds = ((appointment.slot ?? []) as Ref[]).flatMap((s) => idOf(s, 'Slot') ?? []);
      const firstSlot = await readJson(raw, 'Slot', slotIds[0]);
      const schedule =
        firstSlot && (await readJson(raw, 'Schedule', idOf(firstSlot.schedule as Ref, 'Schedule')));
      const practice =
        custodianOf(appointment as Resource) ?? practiceOfSchedule(schedule as Resource | undefined);
      if (!slotIds.length || !practice) {
        refuse(lang, 422, 'business-rule', {
          nl: `Appointment/${id} is geen afspraak uit de agenda van een praktijk (geen slot): wijzig die zelf.`,
          en: `Appointment/${id} is no booking in a practice's agenda (no slot): change it yourself.`,
        });
      }
      if (!asPatient && !actsForPractice(ctx.principal, practice)) {
        refuse(lang, 403, 'forbidden', {
          nl: `Appointment/${id} is een afspraak van Organization/${practice}: alleen de patiënt en die praktijk annuleren die.`,
          en: `Appointment/${id} is a booking of Organization/${practice}: only the patient and that practice cancel it.`,
        });
      }
      if (!HOLDING.includes(appointment.status as string)) {
        refuse(lang, 409, 'business-rule', {
          nl: `Appointment/${id} is ${String(appointment.status)}: er valt niets meer te annuleren.`,
          en: `Appointment/${id} is ${String(appointment.status)}: there is nothing left to cancel.`,
        });
      }
      const start = appointment.start as string;
      const notice = deps.config.appointments.cancelNoticeSeconds * 1000;
      if (asPatient && !(Date.parse(start) - now.getTime() >= notice)) {
        const hours = notice / 3_600_000;
        refuse(lang, 409, 'business-rule', {
          nl: `Annuleren kan online tot ${hours} uur voor de afspraak; bel de praktijk.`,
          en: `Online you can cancel up to ${hours} hours before the appointment; call the practice.`,
        });
      }
      const onBehalf = store.onBehalf(raw);
      const next: Json = {
        ...appointment,
        status: 'cancelled',
        cancelationReason: {
          coding: [{ system: REASONS, code: asPatient ? 'pat' : 'prov' }],
          ...(reason ? { text: reason } : {}),
        },
      };
      const written = await onBehalf.write(
        { resourceType: 'Appointment', id, method: 'PUT', resource: next as Resource },
        current,
      );
      for (const slotId of slotIds) {
        const slotVersion = await raw.readForUpdate('Slot', slotId);
        const slot = parse(slotVersion);
        if (slot?.status !== 'busy') continue;
        await onBehalf.write(
          {
            resourceType: 'Slot',
            id: slotId,
            method: 'PUT',
            resource: { ...slot, status: 'free' } as unknown as Resource,
          },
          slotVersion,
        );
      }
      const patientId = ((appointment.participant ?? []) as { actor?: Ref }[])
        .map((p) => idOf(p.actor, 'Patient'))
        .find(Boolean);
      const patient = await readJson(raw, 'Patient', patientId);
      const to = await mailAddressOf(raw, deps.search, patientId, patient, now);
      if (to) {
        const agenda = await agendaContext(raw, schedule ?? {}, practice);
        await deps.mailer.send(raw.jobs, appointmentMail(to, 'cancelled', start, agenda, id));
      }
      return written.resource!;
    });
    return { status: 200, headers: {}, resource: cancelled };
  };
}
