import { randomUUID } from 'node:crypto';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { isCorrectionTask, RESOLUTION_OUTPUT } from './correction-codes.ts';
import { displayName } from './correction-parties.ts';
import { staffPractices } from './staff.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: string; display?: string } | undefined;

export const CORRECTION_STATUSES = ['accepted', 'in-progress', 'completed', 'rejected'] as const;

/** Where a correction request's Task goes from where; completed and rejected are final. */
const MOVES: Record<string, string[]> = {
  requested: ['accepted', 'in-progress', 'completed', 'rejected'],
  accepted: ['in-progress', 'completed', 'rejected'],
  'in-progress': ['completed', 'rejected'],
};

const WORDS: Record<string, string> = {
  accepted: 'geaccepteerd',
  'in-progress': 'in behandeling',
  completed: 'afgerond',
  rejected: 'afgewezen',
};

/**
 * `POST Task/[id]/$correction-status` (`status`, `reason`, `answer`): the practice handles a
 * correction request. Its staff — GP, physician assistant or assistant of the Task's owner
 * (`staffPractices`) — accept it, work on it, complete it or reject it (a reason is required,
 * the patient reads it in `statusReason`), and may answer the patient: a Communication from the
 * practice in response to the request, also named in the Task's `output`. Whoever may not see
 * the Task is answered as for a missing one. The Task is the server's to move (the patient's
 * app and the gate do not write it), so this writes on the caller's behalf, logged as theirs.
 */
export function correctionStatus(deps: { clock: () => Date }) {
  return async (ctx: RestContext, id: string, req: FhirRequest): Promise<FhirResult> => {
    const lang = ctx.language;
    const p = readParameters(req.body, lang, '$correction-status');
    const status = p.string('status');
    const reason = p.string('reason');
    const answer = p.string('answer');
    if (!status || !(CORRECTION_STATUSES as readonly string[]).includes(status)) {
      refuse(lang, 400, 'required', {
        en: `Parameter 'status' is one of ${CORRECTION_STATUSES.join(', ')}`,
        nl: `Parameter 'status' is een van ${CORRECTION_STATUSES.join(', ')}`,
      });
    }
    if (status === 'rejected' && !reason) {
      refuse(lang, 400, 'required', {
        en: "A rejection says why: parameter 'reason' (the patient reads it)",
        nl: "Een afwijzing zegt waarom: parameter 'reason' (de patiënt leest die)",
      });
    }
    const seen = (await ctx.store.lookup('Task', id)).kind === 'live';
    const missing = (): never =>
      refuse(lang, 404, 'not-found', { en: `Task/${id} is not known`, nl: `Task/${id} is niet bekend` });
    if (!seen) missing();
    const now = deps.clock().toISOString();
    const task = await ctx.store.transaction(async (store, raw) => {
      const current = await raw.readForUpdate('Task', id);
      const task = current?.content ? (JSON.parse(current.content) as Json) : undefined;
      if (!task) return missing();
      if (!isCorrectionTask(task)) {
        refuse(lang, 422, 'business-rule', {
          en: `Task/${id} is not a correction request's Task (code medRecCxReq)`,
          nl: `Task/${id} is geen Task van een correctieverzoek (code medRecCxReq)`,
        });
      }
      const owner = /^Organization\/(.+)$/.exec((task.owner as Ref)?.reference ?? '')?.[1];
      if (!owner || !staffPractices(ctx.principal).includes(owner)) {
        refuse(lang, 403, 'forbidden', {
          en: `Only the staff of the practice the request went to (${(task.owner as Ref)?.reference ?? 'its owner'}: GP, physician assistant or assistant) handle Task/${id}`,
          nl: `Alleen medewerkers van de praktijk waar het verzoek heen ging (${(task.owner as Ref)?.reference ?? 'de owner'}: huisarts, physician assistant of assistent) behandelen Task/${id}`,
        });
      }
      const from = task.status as string;
      const allowed = MOVES[from] ?? [];
      if (!allowed.includes(status)) {
        refuse(lang, 409, 'business-rule', {
          en: `Task/${id} is ${from}: ${allowed.length ? `from there it goes to ${allowed.join(' or ')}` : 'it does not change any more'}, not ${status}`,
          nl: `Task/${id} is ${from}: ${allowed.length ? `van daaruit gaat hij naar ${allowed.join(' of ')}` : 'hij verandert niet meer'}, niet ${status} (${WORDS[status]})`,
        });
      }
      const onBehalf = store.onBehalf(raw);
      const outputs = (task.output ?? []) as Json[];
      if (answer) {
        const organization = await raw.read('Organization', owner);
        const name = organization?.content
          ? displayName(JSON.parse(organization.content) as Json)
          : undefined;
        const communicationId = randomUUID();
        await onBehalf.insertNew([
          {
            resourceType: 'Communication',
            id: communicationId,
            resource: {
              resourceType: 'Communication',
              status: 'completed',
              ...(task.focus ? { inResponseTo: [task.focus] } : {}),
              about: [{ reference: `Task/${id}`, type: 'Task', display: 'Correctieverzoek' }],
              subject: task.for,
              ...(task.description ? { topic: { text: task.description } } : {}),
              sent: now,
              recipient: [task.for],
              sender: { reference: `Organization/${owner}`, type: 'Organization', display: name ?? owner },
              payload: [{ contentString: answer }],
            },
          },
        ]);
        outputs.push({
          type: { coding: [RESOLUTION_OUTPUT] },
          valueReference: {
            reference: `Communication/${communicationId}`,
            type: 'Communication',
            display: 'Antwoord',
          },
        });
      }
      const next: Json = {
        ...task,
        status,
        lastModified: now,
        ...(outputs.length ? { output: outputs } : {}),
      };
      if (reason) next.statusReason = { text: reason };
      else delete next.statusReason;
      await onBehalf.write({ resourceType: 'Task', id, method: 'PUT', resource: next as Resource }, current);
      return next;
    });
    return {
      status: 200,
      headers: {},
      resource: { resourceType: 'Parameters', parameter: [{ name: 'task', resource: task }] } as Resource,
    };
  };
}
