import { randomUUID } from 'node:crypto';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { searchAll } from '../search-all.ts';
import type { PracticeDeps } from './deps.ts';
import { answerWaitingMail } from './portal-mail.ts';
import {
  ECONSULT,
  heldBy,
  idOf,
  limited,
  OPEN_TASK,
  parse,
  PORTAL_REQUEST_SYSTEM,
  requireStaff,
  RESULT_OUTPUT,
  roleAt,
  type Json,
} from './portal-requests.ts';
import { mailAddressOf } from './patient-mail.ts';

const isEconsult = (c: Json) =>
  ((c.category ?? []) as Json[]).some((cat) =>
    ((cat.coding ?? []) as Json[]).some((x) => x.system === PORTAL_REQUEST_SYSTEM && x.code === 'econsult'),
  );

/**
 * `POST Communication/[id]/$answer` (answer): the GP or the physician assistant of the practice
 * the question was sent to answers it. The seed sends medical questions "direct aan uw arts", so
 * the practice's assistant reads them (to plan the doctor's work) but does not answer (403).
 * Written on the caller's behalf, held by the practice: the answer as a Communication (category
 * econsult, inResponseTo the question, sender the caller's PractitionerRole, recipient and
 * subject the patient, status completed), the question completed, its Task completed with the
 * answer as output. The patient gets an e-mail that an answer waits — without the question or
 * the answer. The question must be visible to the caller through the gate (else 404); answered
 * already: 409 naming the answer.
 */
export function answerEconsult(deps: Pick<PracticeDeps, 'clock' | 'config' | 'mailer' | 'search'>) {
  return async (ctx: RestContext, id: string, req: FhirRequest): Promise<FhirResult> => {
    const lang = ctx.language;
    requireStaff(ctx, {
      en: 'An eConsult is answered by the GP or physician assistant of the patient’s practice',
      nl: 'Een eConsult wordt beantwoord door de huisarts of physician assistant van de praktijk van de patiënt',
    });
    const p = readParameters(req.body, lang, '$answer');
    const answer = p.string('answer');
    if (!answer) {
      refuse(lang, 400, 'required', {
        en: "Parameter 'answer' (valueString) is your answer to the patient",
        nl: "Parameter 'answer' (valueString) is uw antwoord aan de patiënt",
      });
    }
    limited(lang, 'answer', answer, deps.config.requests.econsultMaxChars);
    ctx.store.assertAllowed('update', false, 'Communication');
    ctx.store.assertAllowed('create', false, 'Communication');
    const outcome = await ctx.store.transaction(async (store, raw) => {
      const found = await store.lookup('Communication', id, true);
      const question = found.kind === 'live' ? parse(found.version)! : undefined;
      if (!question || found.kind !== 'live') {
        refuse(lang, 404, 'not-found', {
          en: `Communication/${id} is not known`,
          nl: `Communication/${id} is niet bekend`,
        });
      }
      const patientId = idOf(question.subject, 'Patient');
      const practiceId = ((question.recipient ?? []) as Json[])
        .map((r) => idOf(r, 'Organization'))
        .find(Boolean);
      if (!isEconsult(question) || question.inResponseTo || !patientId || !practiceId) {
        refuse(lang, 422, 'business-rule', {
          en: `Communication/${id} is not a patient's eConsult question to a practice`,
          nl: `Communication/${id} is geen eConsult-vraag van een patiënt aan een praktijk`,
        });
      }
      const staff = roleAt(ctx.principal, practiceId, ['gp', 'physicianAssistant', 'assistant']);
      const doctor = roleAt(ctx.principal, practiceId, ['gp', 'physicianAssistant']);
      if (!doctor) {
        refuse(lang, 403, 'forbidden', {
          en: staff
            ? 'eConsult questions are answered by the GP or the physician assistant ("Stel uw medische vragen direct aan uw arts"); please pass it on to them'
            : `Only the GP or physician assistant of Organization/${practiceId} answers this question`,
          nl: staff
            ? 'eConsult-vragen worden beantwoord door de huisarts of de physician assistant ("Stel uw medische vragen direct aan uw arts"); geef de vraag aan hen door'
            : `Alleen de huisarts of physician assistant van Organization/${practiceId} beantwoordt deze vraag`,
        });
      }
      const open = store.onBehalf(raw);
      if (question.status !== 'in-progress') {
        const answers = await searchAll({ ...ctx, store: open }, { resourceType: 'Communication' }, [
          ['subject', `Patient/${patientId}`],
          ['category', `${PORTAL_REQUEST_SYSTEM}|econsult`],
        ]);
        const earlier = answers
          .map((r) => parse(r)!)
          .find((c) => idOf(c.inResponseTo?.[0], 'Communication') === id);
        refuse(lang, 409, 'conflict', {
          en: `Communication/${id} is ${question.status as string}${earlier ? `: answered in Communication/${earlier.id as string}` : ''}`,
          nl: `Communication/${id} is ${question.status as string}${earlier ? `: beantwoord in Communication/${earlier.id as string}` : ''}`,
        });
      }
      const now = deps.clock().toISOString();
      const answerId = randomUUID();
      const reply: Json = {
        resourceType: 'Communication',
        id: answerId,
        meta: heldBy(practiceId),
        inResponseTo: [{ reference: `Communication/${id}` }],
        status: 'completed',
        category: [ECONSULT],
        subject: { reference: `Patient/${patientId}` },
        sent: now,
        sender: doctor,
        recipient: [{ reference: `Patient/${patientId}` }],
        payload: [{ contentString: answer }],
      };
      await open.insertNew([{ resourceType: 'Communication', id: answerId, resource: reply as Resource }]);
      await open.write(
        {
          resourceType: 'Communication',
          id,
          method: 'PUT',
          resource: { ...question, status: 'completed', received: now } as unknown as Resource,
        },
        found.version,
      );
      const tasks = await searchAll({ ...ctx, store: open }, { resourceType: 'Task' }, [
        ['focus', `Communication/${id}`],
        ['status', OPEN_TASK.join(',')],
      ]);
      let task: Json | undefined;
      for (const row of tasks) {
        const current = await raw.readForUpdate('Task', row.id);
        const t = parse(current);
        if (!t || !OPEN_TASK.includes(t.status as string)) continue;
        task = {
          ...t,
          status: 'completed',
          lastModified: now,
          output: [{ type: RESULT_OUTPUT, valueReference: { reference: `Communication/${answerId}` } }],
        };
        await open.write(
          { resourceType: 'Task', id: row.id, method: 'PUT', resource: task as Resource },
          current,
        );
      }
      const to = await mailAddressOf(
        raw,
        deps.search,
        patientId,
        parse(await raw.read('Patient', patientId)),
        deps.clock(),
      );
      const practice = parse(await raw.read('Organization', practiceId));
      if (to) {
        const name = practice?.name as string | undefined;
        await deps.mailer.send(raw.jobs, answerWaitingMail(to, name, deps.config.requests.portalUrl));
      }
      return { reply, task };
    });
    return {
      status: 200,
      headers: {},
      resource: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'answer', resource: outcome.reply },
          ...(outcome.task ? [{ name: 'task', resource: outcome.task }] : []),
        ],
      } as Resource,
    };
  };
}
