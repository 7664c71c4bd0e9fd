import { randomUUID } from 'node:crypto';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import type { PracticeDeps } from './deps.ts';
import { requestHandledMail } from './portal-mail.ts';
import {
  heldBy,
  idOf,
  parse,
  PHARMACY_INPUT,
  PORTAL_REQUEST_SYSTEM,
  PREPARED,
  requireStaff,
  RESULT_OUTPUT,
  roleAt,
  type Json,
} from './portal-requests.ts';
import { repeatOf } from './repeat-prescription.ts';
import { assertRepeatable } from './repeatable.ts';
import { mailAddressOf } from './patient-mail.ts';

const DECISIONS = ['approve', 'reject', 'prepare'] as const;
type Decision = (typeof DECISIONS)[number];
/** Where each decision may be taken from: a prepared request is still the doctor's to decide. */
const FROM: Record<Decision, string[]> = {
  approve: ['requested', 'received', 'in-progress'],
  reject: ['requested', 'received', 'in-progress'],
  prepare: ['requested', 'received'],
};

/**
 * `POST Task/[id]/$decide-repeat` (decision approve | reject | prepare, reason, note): the
 * practice decides a patient's repeat prescription request. Approving and rejecting are the
 * prescriber's — the GP or the physician assistant working at the Task's owner practice — since a
 * refusal withholds medication as much as an approval prescribes it; the practice's assistant
 * prepares (status in-progress, businessStatus prepared, an optional note) for them. Approve: a
 * new MedicationRequest (order, active, priorPrescription the old one, requester the deciding
 * PractitionerRole, the same medication, dosage and dispense request, the pharmacy the patient
 * asked for), the Task completed with it as output. Reject: the Task rejected with the reason as
 * statusReason. The Task must be visible to the caller through the gate (another practice's
 * staff: 404, as for a missing one); the patient hears by e-mail that it was handled, nothing more.
 */
export function decideRepeat(deps: Pick<PracticeDeps, 'clock' | 'config' | 'mailer' | 'search'>) {
  return async (ctx: RestContext, id: string, req: FhirRequest): Promise<FhirResult> => {
    const lang = ctx.language;
    requireStaff(ctx, {
      en: 'Repeat prescription requests are decided by the staff of the patient’s GP practice',
      nl: 'Over een aanvraag voor een herhaalrecept beslist het personeel van de huisartsenpraktijk van de patiënt',
    });
    const p = readParameters(req.body, lang, '$decide-repeat');
    const decision = p.string('decision') as Decision | undefined;
    if (!decision || !DECISIONS.includes(decision)) {
      refuse(lang, 400, 'required', {
        en: "Parameter 'decision' is approve, reject or prepare",
        nl: "Parameter 'decision' is approve (goedkeuren), reject (afwijzen) of prepare (klaarzetten)",
      });
    }
    const reason = p.string('reason');
    if (decision === 'reject' && !reason) {
      refuse(lang, 400, 'required', {
        en: "A rejection says why, for the patient: parameter 'reason' (e.g. 'please make an appointment first')",
        nl: "Een afwijzing zegt de patiënt waarom: parameter 'reason' (bijv. 'maak eerst een afspraak')",
      });
    }
    const note = p.string('note');
    ctx.store.assertAllowed('update', false, 'Task');
    if (decision === 'approve') ctx.store.assertAllowed('create', false, 'MedicationRequest');
    const outcome = await ctx.store.transaction(async (store, raw) => {
      const found = await store.lookup('Task', id, true);
      const task = found.kind === 'live' ? parse(found.version)! : undefined;
      if (!task || found.kind !== 'live') {
        refuse(lang, 404, 'not-found', { en: `Task/${id} is not known`, nl: `Task/${id} is niet bekend` });
      }
      const isRepeat = ((task.code?.coding ?? []) as Json[]).some(
        (c) => c.system === PORTAL_REQUEST_SYSTEM && c.code === 'repeat-prescription',
      );
      if (!isRepeat) {
        refuse(lang, 422, 'business-rule', {
          en: `Task/${id} is not a repeat prescription request`,
          nl: `Task/${id} is geen aanvraag voor een herhaalrecept`,
        });
      }
      const practiceId = idOf(task.owner, 'Organization');
      const anyStaff = practiceId
        ? roleAt(ctx.principal, practiceId, ['gp', 'physicianAssistant', 'assistant'])
        : undefined;
      const prescriber = practiceId
        ? roleAt(ctx.principal, practiceId, ['gp', 'physicianAssistant'])
        : undefined;
      if (!anyStaff || (decision !== 'prepare' && !prescriber)) {
        refuse(lang, 403, 'forbidden', {
          en: anyStaff
            ? `A repeat prescription is approved or rejected by a GP or physician assistant of Organization/${practiceId}; as its assistant you may prepare it (decision=prepare)`
            : `Only the staff of the practice that owns Task/${id} decide it`,
          nl: anyStaff
            ? `Een herhaalrecept wordt goedgekeurd of afgewezen door een huisarts of physician assistant van Organization/${practiceId}; als assistent kunt u het klaarzetten (decision=prepare)`
            : `Alleen het personeel van de praktijk van Task/${id} beslist erover`,
        });
      }
      if (!FROM[decision].includes(task.status as string)) {
        refuse(lang, 409, 'conflict', {
          en: `Task/${id} is ${task.status as string}: it cannot be ${decision === 'prepare' ? 'prepared' : `${decision}d`} any more`,
          nl: `Task/${id} is ${task.status as string}: die kan niet meer worden ${decision === 'approve' ? 'goedgekeurd' : decision === 'reject' ? 'afgewezen' : 'klaargezet'}`,
        });
      }
      const now = deps.clock().toISOString();
      const open = store.onBehalf(raw);
      const notes = [
        ...((task.note ?? []) as Json[]),
        ...(note ? [{ authorReference: anyStaff, time: now, text: note }] : []),
      ];
      const next: Json = { ...task, lastModified: now, ...(notes.length ? { note: notes } : {}) };
      let made: Json | undefined;
      if (decision === 'prepare') {
        Object.assign(next, { status: 'in-progress', businessStatus: PREPARED });
      } else if (decision === 'reject') {
        Object.assign(next, { status: 'rejected', statusReason: { text: reason } });
        delete next.businessStatus;
      } else {
        // As the caller: a prescription the patient's consent hides from them is not theirs to repeat.
        const focusId = idOf(task.focus, 'MedicationRequest');
        const seen = focusId ? await store.lookup('MedicationRequest', focusId) : undefined;
        const old = seen?.kind === 'live' ? parse(seen.version)! : undefined;
        if (!old || idOf(old.subject, 'Patient') !== idOf(task.for, 'Patient')) {
          refuse(lang, 422, 'business-rule', {
            en: `The prescription Task/${id} asks to repeat is not one you may read for this patient: reject the request or prescribe anew`,
            nl: `Het recept dat Task/${id} wil herhalen is niet een dat u voor deze patiënt mag inzien: wijs de aanvraag af of schrijf opnieuw voor`,
          });
        }
        assertRepeatable(lang, old, 409);
        const pharmacy = ((task.input ?? []) as Json[]).find((i) =>
          ((i.type?.coding ?? []) as Json[]).some((c) => c.code === PHARMACY_INPUT.coding[0]!.code),
        )?.valueReference as Json | undefined;
        made = repeatOf(old, {
          id: randomUUID(),
          now,
          requester: prescriber!,
          pharmacy,
          meta: heldBy(practiceId!),
        });
        await open.insertNew([
          { resourceType: 'MedicationRequest', id: made.id as string, resource: made as Resource },
        ]);
        Object.assign(next, {
          status: 'completed',
          output: [
            { type: RESULT_OUTPUT, valueReference: { reference: `MedicationRequest/${made.id as string}` } },
          ],
        });
        delete next.businessStatus;
      }
      await open.write(
        { resourceType: 'Task', id, method: 'PUT', resource: next as Resource },
        found.version,
      );
      if (decision !== 'prepare') {
        const patientId = idOf(task.for, 'Patient');
        const to = await mailAddressOf(
          raw,
          deps.search,
          patientId,
          parse(patientId ? await raw.read('Patient', patientId) : undefined),
          deps.clock(),
        );
        const practice = parse(await raw.read('Organization', practiceId!));
        const name = practice?.name as string | undefined;
        if (to)
          await deps.mailer.send(raw.jobs, requestHandledMail(to, name, deps.config.requests.portalUrl));
      }
      return { task: next, made };
    });
    return {
      status: 200,
      headers: {},
      resource: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'task', resource: outcome.task },
          ...(outcome.made ? [{ name: 'medicationRequest', resource: outcome.made }] : []),
        ],
      } as Resource,
    };
  };
}
