import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { BSN_SYSTEM } from '../../auth/find-by-identifier.ts';
import { isValidBsn } from '../../auth/resolve-person.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { requireRole } from './authority.ts';
import { changeCollective, managedBy, parameters, type CollectiveDeps } from './changes.ts';
import { CASEMANAGER_IN_PLAN, planConsent } from './plan-records.ts';
import { newActivationCode } from './vocabulary.ts';
import { activitiesOf, planTemplate } from './plan-templates.ts';
import { caregiverByZrn } from './caregiver-by-zrn.ts';
import { rolesIn, type Json } from './directory.ts';

const GENDERS = new Set(['male', 'female', 'other', 'unknown']);

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();

/** The stored patient is the one the casemanager means: the same date of birth and family name. */
function samePerson(patient: Json, family: string, birthDate: string): boolean {
  const families = ((patient.name ?? []) as { family?: string }[]).flatMap((n) =>
    n.family ? [fold(n.family)] : [],
  );
  return patient.birthDate === birthDate && families.includes(fold(family));
}

/**
 * `POST Organization/[id]/$start-plan` (title, family, given*, birthDate, gender, bsn?, email?):
 * a casemanager starts a care plan for a patient. The plan has its own team (a CareTeam with the
 * casemanager) and an activation code for the patient's PGD. With a BSN (11-test checked) the
 * patient is found or registered by it and the plan is active at once, though the patient's own
 * entries stay hidden from the team until activation; without one, a new patient record is made
 * and the plan is a draft: nobody can use it before the patient activates it.
 */
export function startPlan(deps: CollectiveDeps) {
  return async (ctx: RestContext, collectiveId: string, body: unknown): Promise<FhirResult> => {
    const p = readParameters(body, ctx.language, '$start-plan');
    const named = p.string('template');
    const template = named ? await planTemplate(ctx, deps, named) : undefined;
    const title = p.string('title') ?? (template?.title as string | undefined)?.replace(/^Behandelplan /, '');
    const family = p.string('family');
    const birthDate = p.date('birthDate') ?? p.string('birthDate');
    const gender = p.string('gender');
    const bsn = p.string('bsn')?.replace(/\s/g, '');
    if (!title || !family || !birthDate || !gender) {
      refuse(ctx.language, 400, 'required', {
        en: "$start-plan needs a 'template' or a 'title', the patient's 'family' name, 'birthDate' and 'gender' ('bsn', 'given' and 'email' are optional)",
        nl: "$start-plan heeft een 'template' of 'title', de achternaam ('family'), 'birthDate' en 'gender' van de patiënt nodig ('bsn', 'given' en 'email' zijn optioneel)",
      });
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate) || Number.isNaN(Date.parse(birthDate))) {
      refuse(ctx.language, 400, 'value', {
        en: `'${birthDate}' is not a date of birth (YYYY-MM-DD)`,
        nl: `'${birthDate}' is geen geboortedatum (JJJJ-MM-DD)`,
      });
    }
    if (!GENDERS.has(gender)) {
      refuse(ctx.language, 400, 'value', {
        en: `'gender' is one of male, female, other, unknown`,
        nl: `'gender' is een van male, female, other, unknown`,
      });
    }
    if (bsn !== undefined && !isValidBsn(bsn)) {
      refuse(ctx.language, 400, 'value', {
        en: `${bsn} is not a valid BSN (nine digits that pass the 11-test); check the number, or start the plan without a BSN`,
        nl: `${bsn} is geen geldig BSN (negen cijfers die aan de elfproef voldoen); controleer het nummer, of start het plan zonder BSN`,
      });
    }
    const email = p.string('email');
    const started = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      const actor = await requireRole(ctx, changes.directory, collectiveId, ['casemanager'], {
        en: 'start care plans',
        nl: 'behandelplannen starten',
      });
      // The plan's casemanager: the caller, or, for a trusted caller (an integration moving plans
      // in, the demo seed), the casemanager it names.
      let casemanagerId = actor.practitionerId;
      const named = p.string('casemanager');
      if (!casemanagerId && named) {
        const caregiver = await caregiverByZrn(ctx, changes.directory, named, '$start-plan');
        if (!rolesIn(await changes.directory.membership(collectiveId, caregiver.id)).has('casemanager')) {
          refuse(ctx.language, 422, 'business-rule', {
            en: `The caregiver with ZRN ${named} is not a casemanager of this collective`,
            nl: `De zorgverlener met ZRN ${named} is geen casemanager van dit zorgcollectief`,
          });
        }
        casemanagerId = caregiver.id;
      }
      const now = new Date().toISOString();
      const known = bsn ? await changes.directory.patientByBsn(bsn, collectiveId) : undefined;
      if (known && !samePerson(known, family, birthDate)) {
        // A mistyped BSN that still passes the 11-test would open a stranger's record.
        refuse(ctx.language, 409, 'business-rule', {
          en: `BSN ${bsn} belongs to a patient with another name or date of birth; check the BSN, the name and the date of birth`,
          nl: `BSN ${bsn} hoort bij een patiënt met een andere naam of geboortedatum; controleer het BSN, de naam en de geboortedatum`,
        });
      }
      const patient =
        known ??
        (await changes.create({
          resourceType: 'Patient',
          active: true,
          ...(bsn ? { identifier: [{ system: BSN_SYSTEM, value: bsn }] } : {}),
          name: [{ family, ...(p.strings('given').length ? { given: p.strings('given') } : {}) }],
          gender,
          birthDate,
          ...(email ? { telecom: [{ system: 'email', value: email }] } : {}),
        }));
      const subject = { reference: `Patient/${patient.id as string}` };
      const usable = bsn !== undefined;
      const team = await changes.create({
        resourceType: 'CareTeam',
        ...managedBy(collectiveId),
        status: usable ? 'active' : 'proposed',
        name: title,
        subject,
        managingOrganization: [{ reference: `Organization/${collectiveId}` }],
        participant: casemanagerId
          ? [
              {
                member: { reference: `Practitioner/${casemanagerId}` },
                role: [{ coding: [CASEMANAGER_IN_PLAN] }],
                period: { start: now },
              },
            ]
          : [],
      });
      const plan = await changes.create({
        resourceType: 'CarePlan',
        ...managedBy(collectiveId),
        status: usable ? 'active' : 'draft',
        intent: 'plan',
        title,
        subject,
        period: { start: now },
        created: now,
        author: { reference: `Organization/${collectiveId}` },
        careTeam: [{ reference: `CareTeam/${team.id as string}` }],
        ...(template
          ? {
              instantiatesCanonical: [
                `${template.url as string}${template.version ? `|${template.version as string}` : ''}`,
              ],
              activity: activitiesOf(template),
            }
          : {}),
      });
      if (usable)
        await changes.create(planConsent(collectiveId, patient.id as string, team.id as string, false));
      const code = newActivationCode();
      await changes.records.issueActivation(plan.id as string, code);
      return { plan, team, patient, code };
    });
    return {
      status: 201,
      headers: { location: `${ctx.baseUrl}/CarePlan/${started.plan.id as string}` },
      resource: parameters(
        { name: 'carePlan', valueReference: { reference: `CarePlan/${started.plan.id as string}` } },
        { name: 'careTeam', valueReference: { reference: `CareTeam/${started.team.id as string}` } },
        { name: 'patient', valueReference: { reference: `Patient/${started.patient.id as string}` } },
        { name: 'status', valueCode: started.plan.status },
        { name: 'activationCode', valueString: started.code },
      ) as FhirResult['resource'],
    };
  };
}
