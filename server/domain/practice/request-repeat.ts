import { randomUUID } from 'node:crypto';
import { loadCurrent } from '../../fhir/rest/read.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { searchAll } from '../search-all.ts';
import type { PracticeDeps } from './deps.ts';
import {
  heldBy,
  idOf,
  limited,
  OPEN_TASK,
  parse,
  patientAndPractice,
  PHARMACY_INPUT,
  portalActor,
  PORTAL_REQUEST_SYSTEM,
  REPEAT_PRESCRIPTION,
  type Json,
} from './portal-requests.ts';
import { assertRepeatable, sameMedication } from './repeatable.ts';
import { serviceStore } from './session-services.ts';

/**
 * `POST MedicationRequest/[id]/$request-repeat` (note?, pharmacy?): the patient asks their
 * practice for a repeat of a prescription on their own medication list (seed 004,
 * "Receptservice"). The prescription is read as the patient (someone else's answers as a
 * missing one); it must be a prescription that is active or used up (stopped, cancelled, on
 * hold, in error: call the practice). The server writes, on the patient's behalf (logged as
 * theirs), a Task for the practice: code repeat-prescription, focus the prescription, for the
 * patient, owner the practice (generalPractitioner, else managingOrganization), requester the
 * patient, status requested, held by the practice. An open request for the same medication is
 * a 409 naming it; two requests at once are one after the other (a lock per patient).
 */
export function requestRepeat(deps: Pick<PracticeDeps, 'clock' | 'config'>) {
  return async (given: RestContext, id: string, req: FhirRequest): Promise<FhirResult> => {
    const lang = given.language;
    const actor = portalActor(given.principal, lang, 'A repeat prescription / Een herhaalrecept');
    // An e-mail account's session opened this service: its rows of the record through the service's store.
    const ctx: RestContext = { ...given, store: serviceStore(given, 'prescriptions') };
    ctx.store.assertAllowed('create', false, 'Task');
    const p = readParameters(req.body, lang, '$request-repeat');
    const note = p.string('note');
    limited(lang, 'note', note, deps.config.requests.repeatNoteMaxChars);
    const pharmacyRef = p.reference('pharmacy');
    if (
      (p.count('pharmacy') && !pharmacyRef) ||
      (pharmacyRef && !idOf({ reference: pharmacyRef }, 'Organization'))
    ) {
      refuse(lang, 400, 'invalid', {
        en: 'Parameter \'pharmacy\' is a valueReference to the pharmacy (e.g. {"reference": "Organization/apotheek"})',
        nl: 'Parameter \'pharmacy\' is een valueReference naar de apotheek (bijv. {"reference": "Organization/apotheek"})',
      });
    }
    // As the patient: another patient's prescription answers exactly as a missing one.
    const prescription = parse(await loadCurrent(ctx, 'MedicationRequest', id))!;
    if (idOf(prescription.subject, 'Patient') !== actor.patientId) {
      refuse(lang, 422, 'business-rule', {
        en: `MedicationRequest/${id} is on another record of yours (prescribed elsewhere): ask its prescriber, or your practice, for a repeat`,
        nl: `MedicationRequest/${id} staat in een ander dossier van u (elders voorgeschreven): vraag de voorschrijver of uw praktijk om herhaling`,
      });
    }
    assertRepeatable(lang, prescription);
    return ctx.store.transaction(async (store, raw) => {
      const { practiceId } = await patientAndPractice(raw, actor.patientId, lang);
      if (
        pharmacyRef &&
        !parse(await raw.read('Organization', idOf({ reference: pharmacyRef }, 'Organization')!))
      ) {
        refuse(lang, 422, 'business-rule', {
          en: `${pharmacyRef} is not a pharmacy known here: leave 'pharmacy' out to use the one your practice knows`,
          nl: `${pharmacyRef} is geen hier bekende apotheek: laat 'pharmacy' weg om de apotheek te gebruiken die uw praktijk kent`,
        });
      }
      // One patient's requests one after the other, so two at once cannot both pass the check.
      await raw.lock(`repeat-prescription:${actor.patientId}`);
      const open = store.onBehalf(raw);
      const pending = await searchAll({ ...ctx, store: open }, { resourceType: 'Task' }, [
        ['patient', `Patient/${actor.patientId}`],
        ['code', `${PORTAL_REQUEST_SYSTEM}|repeat-prescription`],
        ['status', OPEN_TASK.join(',')],
      ]);
      for (const row of pending) {
        const task = parse(row)!;
        const focusId = idOf(task.focus, 'MedicationRequest');
        const focus =
          focusId === id
            ? prescription
            : parse(focusId ? await raw.read('MedicationRequest', focusId) : undefined);
        if (focus && sameMedication(prescription, focus)) {
          refuse(lang, 409, 'duplicate', {
            en: `You already asked for a repeat of this medication (Task/${row.id}, ${task.status as string}); the practice has not handled it yet. Its status is in Task/${row.id}.`,
            nl: `U heeft al een herhaling van dit geneesmiddel aangevraagd (Task/${row.id}, ${task.status as string}); de praktijk heeft die nog niet behandeld. De status staat in Task/${row.id}.`,
          });
        }
      }
      const now = deps.clock().toISOString();
      const taskId = randomUUID();
      const task: Json = {
        resourceType: 'Task',
        id: taskId,
        meta: heldBy(practiceId),
        status: 'requested',
        // A proposal, not an order: an open order Task is a treatment relationship for its owner
        // (server/access/facts), and a patient's request must open their record to nobody.
        intent: 'proposal',
        priority: 'routine',
        code: REPEAT_PRESCRIPTION,
        description: 'Aanvraag herhaalrecept / Repeat prescription request',
        focus: { reference: `MedicationRequest/${id}` },
        for: { reference: `Patient/${actor.patientId}` },
        authoredOn: now,
        lastModified: now,
        requester: actor.requester,
        owner: { reference: `Organization/${practiceId}` },
        ...(note ? { note: [{ authorReference: actor.requester, time: now, text: note }] } : {}),
        ...(pharmacyRef
          ? { input: [{ type: PHARMACY_INPUT, valueReference: { reference: pharmacyRef } }] }
          : {}),
      };
      await open.insertNew([{ resourceType: 'Task', id: taskId, resource: task as Resource }]);
      return {
        status: 201,
        headers: { Location: `${ctx.baseUrl}/Task/${taskId}` },
        resource: task as Resource,
      };
    });
  };
}
