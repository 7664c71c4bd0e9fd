import { nameOf } from './directory.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { readParameters } from '../parameters.ts';
import { refuse } from '../language.ts';
import { changeCollective, parameters, type Changes, type CollectiveDeps } from './changes.ts';
import { emailOf, instructionLetter, reminderMail } from './letters.ts';
import { isOpen, lockedPlan, planCollective, refuseClosed, requirePlanCasemanager } from './plan-access.ts';

type Personal = { note?: string; actions: string[] };

const MAX_PERSONAL = 2000;

/**
 * The casemanager's personal note and the actions asked of the patient, to send with the letter:
 * `note` and `action` (repeating), as Parameters (POST) or in the query (GET).
 */
function personalOf(ctx: RestContext, req: FhirRequest, operation: string): Personal {
  const p = req.body === undefined ? undefined : readParameters(req.body, ctx.language, operation);
  const note = p ? p.string('note') : req.query.get('note')?.trim() || undefined;
  const actions = (p ? p.strings('action') : req.query.getAll('action')).map((a) => a.trim()).filter(Boolean);
  if ((note?.length ?? 0) + actions.join('').length > MAX_PERSONAL) {
    refuse(ctx.language, 400, 'too-long', {
      en: `A note and actions of at most ${MAX_PERSONAL} characters together fit in the letter`,
      nl: `Een notitie en acties van samen hooguit ${MAX_PERSONAL} tekens passen in de brief`,
    });
  }
  return { ...(note ? { note } : {}), actions };
}

/** The letter of a plan that waits for activation, with its current code; refused once activated. */
async function letterOf(
  ctx: RestContext,
  changes: Changes,
  collectiveId: string,
  planId: string,
  personal: Personal,
  forMail = false,
) {
  const { plan, team } = await lockedPlan(changes, planId);
  await requirePlanCasemanager(ctx, changes, collectiveId, team, {
    en: "make this plan's instruction letter",
    nl: 'de instructiebrief van dit behandelplan maken',
  });
  if (!isOpen(plan)) refuseClosed(ctx, plan);
  const [activation] = await changes.records.activationsOf([planId]);
  if (!activation || activation.activatedAt) {
    refuse(ctx.language, 409, 'business-rule', {
      en: 'The patient has activated this plan already; there is no code to send',
      nl: 'De patiënt heeft dit behandelplan al geactiveerd; er is geen code om te sturen',
    });
  }
  const patient = await changes.directory.read(
    'Patient',
    ((plan.subject as { reference?: string }).reference ?? '').replace(/^Patient\//, ''),
  );
  const collective = await changes.directory.read('Organization', collectiveId);
  const letter = instructionLetter({
    patientName: nameOf(patient) || 'patiënt',
    ...(forMail ? {} : { title: (plan.title as string) ?? '' }),
    collective: (collective?.name as string) ?? collectiveId,
    code: activation.code,
    base: ctx.baseUrl,
    ...personal,
  });
  return { letter, patient };
}

/**
 * `GET CarePlan/[id]/$activation-letter`: the instruction letter (HTML, as a Binary) with the
 * current code, to print and give to the patient. A casemanager of the plan.
 */
export function activationLetter(deps: CollectiveDeps) {
  return async (ctx: RestContext, planId: string, req: FhirRequest): Promise<FhirResult> => {
    const personal = personalOf(ctx, req, '$activation-letter');
    const collectiveId = await planCollective(ctx, deps, planId);
    const { letter } = await changeCollective(ctx, deps, collectiveId, (changes) =>
      letterOf(ctx, changes, collectiveId, planId, personal),
    );
    return {
      status: 200,
      headers: {},
      resource: {
        resourceType: 'Binary',
        contentType: 'text/html',
        data: Buffer.from(letter.html, 'utf8').toString('base64'),
      },
    };
  };
}

/**
 * `POST CarePlan/[id]/$send-reminder`: mails the patient a reminder with the instruction letter
 * and the code (the address given at the start, or on their record). A casemanager of the plan.
 */
export function sendReminder(deps: CollectiveDeps) {
  return async (ctx: RestContext, planId: string, req: FhirRequest): Promise<FhirResult> => {
    const personal = personalOf(ctx, req, '$send-reminder');
    const collectiveId = await planCollective(ctx, deps, planId);
    const to = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const { letter, patient } = await letterOf(ctx, changes, collectiveId, planId, personal, true);
      const address = emailOf(patient);
      if (!address) {
        refuse(ctx.language, 409, 'business-rule', {
          en: 'The patient has no e-mail address on record; print the instruction letter ($activation-letter) instead',
          nl: 'Van de patiënt is geen e-mailadres bekend; druk de instructiebrief af ($activation-letter)',
        });
      }
      await changes.mail(reminderMail(address, letter));
      return address;
    });
    return {
      status: 200,
      headers: {},
      resource: parameters({ name: 'sentTo', valueString: to }) as FhirResult['resource'],
    };
  };
}
