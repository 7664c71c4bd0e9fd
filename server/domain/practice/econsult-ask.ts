import { randomUUID } from 'node:crypto';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { searchAll } from '../search-all.ts';
import type { PracticeDeps } from './deps.ts';
import {
  ECONSULT,
  heldBy,
  limited,
  OPEN_TASK,
  patientAndPractice,
  portalActor,
  PORTAL_REQUEST_SYSTEM,
  type Json,
} from './portal-requests.ts';
import { serviceStore } from './session-services.ts';

/**
 * `POST Patient/[id]/$econsult` (question): the patient asks their GP a question (seed 004,
 * "eConsult: Stel uw medische vragen direct aan uw arts"). `id` is the patient's own record (any
 * other answers as a missing one). Written on the patient's behalf, held by the practice: the
 * question as a Communication (category econsult, status in-progress, subject and sender the
 * patient, recipient the practice, the text as payload) and a Task for the practice (code
 * econsult, focus the question, owner the practice, status requested). The question is required
 * and limited in length (PRACTICE_ECONSULT_MAX_CHARS), and a patient has at most
 * PRACTICE_ECONSULT_MAX_OPEN questions waiting at once (429 until one is answered).
 */
export function askEconsult(deps: Pick<PracticeDeps, 'clock' | 'config'>) {
  return async (given: RestContext, id: string, req: FhirRequest): Promise<FhirResult> => {
    const lang = given.language;
    const actor = portalActor(given.principal, lang, 'An eConsult / Een eConsult');
    // An e-mail account's session opened this service: its rows of the record through the service's store.
    const ctx: RestContext = { ...given, store: serviceStore(given, 'econsult') };
    if (id !== actor.patientId) {
      // Another patient's record, hidden or not, answers as a missing one.
      refuse(lang, 404, 'not-found', {
        en: `Patient/${id} is not known`,
        nl: `Patient/${id} is niet bekend`,
      });
    }
    ctx.store.assertAllowed('create', false, 'Communication');
    ctx.store.assertAllowed('create', false, 'Task');
    const p = readParameters(req.body, lang, '$econsult');
    const question = p.string('question');
    if (!question) {
      refuse(lang, 400, 'required', {
        en: "Parameter 'question' (valueString) is your question to your GP",
        nl: "Parameter 'question' (valueString) is uw vraag aan uw huisarts",
      });
    }
    limited(lang, 'question', question, deps.config.requests.econsultMaxChars);
    const maxOpen = deps.config.requests.econsultMaxOpen;
    return ctx.store.transaction(async (store, raw) => {
      const { practiceId } = await patientAndPractice(raw, actor.patientId, lang);
      await raw.lock(`econsult:${actor.patientId}`);
      const open = store.onBehalf(raw);
      const waiting = await searchAll({ ...ctx, store: open }, { resourceType: 'Task' }, [
        ['patient', `Patient/${actor.patientId}`],
        ['code', `${PORTAL_REQUEST_SYSTEM}|econsult`],
        ['status', OPEN_TASK.join(',')],
      ]);
      if (waiting.length >= maxOpen) {
        refuse(lang, 429, 'throttled', {
          en: `You have ${waiting.length} questions waiting for an answer; ask again when one is answered, or call your practice`,
          nl: `U heeft ${waiting.length} vragen die nog op antwoord wachten; stel een nieuwe vraag als er een beantwoord is, of bel uw praktijk`,
        });
      }
      const now = deps.clock().toISOString();
      const ids = { communication: randomUUID(), task: randomUUID() };
      const patient = { reference: `Patient/${actor.patientId}` };
      const practice = { reference: `Organization/${practiceId}` };
      const communication: Json = {
        resourceType: 'Communication',
        id: ids.communication,
        meta: heldBy(practiceId),
        status: 'in-progress',
        category: [ECONSULT],
        subject: patient,
        sent: now,
        sender: actor.requester,
        recipient: [practice],
        payload: [{ contentString: question }],
      };
      const task: Json = {
        resourceType: 'Task',
        id: ids.task,
        meta: heldBy(practiceId),
        status: 'requested',
        // A proposal: an open order Task would relate its owner to the patient (server/access/facts).
        intent: 'proposal',
        code: ECONSULT,
        description: 'eConsult: vraag van de patiënt / question from the patient',
        focus: { reference: `Communication/${ids.communication}` },
        for: patient,
        authoredOn: now,
        lastModified: now,
        requester: actor.requester,
        owner: practice,
      };
      await open.insertNew([
        { resourceType: 'Communication', id: ids.communication, resource: communication as Resource },
        { resourceType: 'Task', id: ids.task, resource: task as Resource },
      ]);
      return {
        status: 201,
        headers: { Location: `${ctx.baseUrl}/Communication/${ids.communication}` },
        resource: {
          resourceType: 'Parameters',
          parameter: [
            { name: 'question', resource: communication },
            { name: 'task', resource: task },
          ],
        } as Resource,
      };
    });
  };
}
