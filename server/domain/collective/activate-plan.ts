import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { BSN_SYSTEM } from '../../auth/find-by-identifier.ts';
import { collectiveOf } from '../../access/rules/collective-managed.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { changeCollective, parameters, type CollectiveDeps } from './changes.ts';
import { identifierValue, type Json } from './directory.ts';
import { planConsent } from './plan-records.ts';
import { isOpen } from './plan-access.ts';
import { normalizeActivationCode } from './vocabulary.ts';

/** At most this many activation attempts per patient per window; then 429 until it passes. */
export const ACTIVATION_ATTEMPTS = 5;
export const ACTIVATION_WINDOW_MS = 15 * 60_000;

const invalidCode = {
  en: 'This activation code is not valid (it may be mistyped, replaced by a newer one or used already); check the letter, or ask your caregiver for the code',
  nl: 'Deze activatiecode is niet geldig (verkeerd overgenomen, vervangen door een nieuwere of al gebruikt); controleer de brief, of vraag uw zorgverlener om de code',
};
/**
 * The same refusal for a login without a BSN, with a hint: a plan started with a BSN is
 * activated after a DigiD login. Given for every code such a login enters, right or wrong, so
 * the answer never tells that a code is valid.
 */
const invalidCodeWithoutBsn = {
  en: `${invalidCode.en}. A plan started with your BSN is activated after logging in with DigiD`,
  nl: `${invalidCode.nl}. Een behandelplan dat met uw BSN is aangemaakt, activeert u na inloggen met DigiD`,
};

/**
 * `POST CarePlan/$activate` (code): the patient enters the plan's activation code in their PGD.
 * The plan (and its team) becomes active, the plan's consent permits its team the patient's
 * record, their own entries included, and a plan started without a BSN moves to this patient:
 * its record made at the start is retired, `replaced-by` theirs. A wrong or used code changes
 * nothing; attempts are limited per patient.
 */
export function activatePlan(deps: CollectiveDeps) {
  return async (ctx: RestContext, body: unknown): Promise<FhirResult> => {
    const p = readParameters(body, ctx.language, '$activate');
    // The patient themself; or a trusted caller (the PGD platform's integration, the demo seed)
    // naming the patient it acts for.
    const named = !ctx.store.access.restricted ? p.string('patient')?.replace(/^Patient\//, '') : undefined;
    const who = ctx.principal.kind === 'patient' ? ctx.principal : named ? { patientId: named } : undefined;
    if (!who) {
      refuse(ctx.language, 403, 'forbidden', {
        en: 'Only the patient activates a care plan, with the code from their letter, logged in to their PGD',
        nl: 'Alleen de patiënt activeert een behandelplan, met de code uit de brief, ingelogd in het eigen PGD',
      });
    }
    if (named && !(await deps.directory.read('Patient', named))) {
      refuse(ctx.language, 422, 'not-found', {
        en: `Patient/${named} is not known`,
        nl: `Patient/${named} is onbekend`,
      });
    }
    const own = await deps.directory.read('Patient', who.patientId);
    const ownBsn = own && identifierValue(own, BSN_SYSTEM);
    const invalid = ownBsn ? invalidCode : invalidCodeWithoutBsn;
    const typed = p.string('code');
    if (!typed) {
      refuse(ctx.language, 400, 'required', {
        en: "$activate needs the activation 'code'",
        nl: "$activate heeft de activatiecode ('code') nodig",
      });
    }
    // Counted in its own statement, so a refused attempt counts too.
    const attempts = await deps.store.collective.countAttempt(
      `Patient/${who.patientId}`,
      ACTIVATION_WINDOW_MS,
    );
    if (attempts > ACTIVATION_ATTEMPTS) {
      refuse(ctx.language, 429, 'throttled', {
        en: `Too many activation attempts; try again in ${ACTIVATION_WINDOW_MS / 60_000} minutes`,
        nl: `Te veel activatiepogingen; probeer het over ${ACTIVATION_WINDOW_MS / 60_000} minuten opnieuw`,
      });
    }
    const code = normalizeActivationCode(typed);
    const found = await deps.store.transaction((tx) => tx.collective.unusedActivation(code));
    const planVersion = found && (await deps.directory.read('CarePlan', found.planId));
    const collectiveId = collectiveOf(planVersion);
    if (
      !found ||
      !planVersion ||
      !collectiveId ||
      !['draft', 'active'].includes(planVersion.status as string)
    ) {
      refuse(ctx.language, 422, 'not-found', invalid);
    }
    const activated = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      // Checked again under the collective's lock: two devices may enter the same code at once.
      const still = await changes.records.unusedActivation(code);
      const plan = still && (await changes.current('CarePlan', still.planId));
      if (!still || !plan || !isOpen(plan)) refuse(ctx.language, 422, 'not-found', invalid);
      const subjectId = ((plan.subject as { reference?: string }).reference ?? '').replace(/^Patient\//, '');
      const self = who.patientId;
      if (subjectId !== self) {
        const planned = await changes.current('Patient', subjectId);
        const plannedBsn = planned && identifierValue(planned, BSN_SYSTEM);
        if (plannedBsn) {
          // A plan started with a BSN is the record that BSN names (a DigiD login finds it): the
          // code was not meant for anyone else, whatever their own record says (a login without
          // a BSN gets the DigiD hint with every refusal, so this one says nothing more).
          if (ownBsn === plannedBsn) {
            refuse(ctx.language, 409, 'business-rule', {
              en: 'Two records carry your BSN; the service desk merges them, then the code works',
              nl: 'Er zijn twee dossiers met uw BSN; de servicedesk voegt ze samen, daarna werkt de code',
            });
          }
          refuse(ctx.language, 422, 'not-found', invalid);
        }
        if (planned) {
          await changes.update({
            ...planned,
            active: false,
            link: [{ other: { reference: `Patient/${self}` }, type: 'replaced-by' }],
          });
        }
      }
      const subject = { reference: `Patient/${self}` };
      const teamId = ((plan.careTeam as { reference?: string }[])[0]?.reference ?? '').replace(
        /^CareTeam\//,
        '',
      );
      const team = await changes.current('CareTeam', teamId);
      if (team) await changes.update({ ...team, status: 'active', subject });
      // A draft becomes usable now: its period (and what is billed) starts here.
      const period =
        plan.status === 'draft' ? { ...(plan.period ?? {}), start: new Date().toISOString() } : plan.period;
      const updated = await changes.update({ ...plan, status: 'active', subject, period });
      const consent = (await changes.directory.planConsents(collectiveId, teamId))[0];
      const permit = planConsent(collectiveId, self, teamId, true);
      if (consent) await changes.update({ ...permit, id: consent.id });
      else await changes.create(permit);
      await changes.records.markActivated(still.planId, `Patient/${self}`);
      return updated as Json;
    });
    return {
      status: 200,
      headers: {},
      resource: parameters(
        { name: 'carePlan', valueReference: { reference: `CarePlan/${activated.id as string}` } },
        { name: 'status', valueCode: 'active' },
      ) as FhirResult['resource'],
    };
  };
}
