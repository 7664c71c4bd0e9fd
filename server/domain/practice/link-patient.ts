import { BSN_SYSTEM } from '../../auth/find-by-identifier.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { linkedMail } from './account-mails.ts';
import type { PracticeDeps } from './deps.ts';
import {
  emailOfPerson,
  linkedPatients,
  practiceOfPerson,
  registrationOf,
  type PortalPerson,
} from './portal-person.ts';
import { current, practiceContact, practicesOfPatient } from './practices.ts';
import { staffPractices } from './staff.ts';
import { LINK_ASSURANCE } from './vocabulary.ts';

export const LINK_PATIENT_OPERATION = 'https://zorgpoort.nl/fhir/OperationDefinition/Person-link-patient';

/** Stored FHIR JSON, each field read defensively. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const bsnOf = (patient: Json) =>
  ((patient.identifier ?? []) as { system?: string; value?: string }[]).find((i) => i.system === BSN_SYSTEM)
    ?.value;

/**
 * `POST Person/[id]/$link-patient` (seed 004, "2. Huisarts koppelt uw account": "dient u de
 * assistente te bellen, zij controleert dan uw BSN nummer en mailadres. Vervolgens koppelt de
 * assistente uw account met uw medische gegevens"): the practice's assistant, physician assistant
 * or GP links an e-mail account of their practice to a patient of their practice, giving what
 * they checked on the phone — the patient, the BSN and the e-mail address — which must be the
 * patient's and the account's. The link (assurance level3) is written for the caller, and the
 * account's owner gets an e-mail. Another practice's account is answered as a missing one.
 */
export function linkPatient(deps: PracticeDeps) {
  return async (ctx: RestContext, id: string, body: unknown): Promise<FhirResult> => {
    const practices = staffPractices(ctx.principal);
    if (!practices.length) {
      refuse(ctx.language, 403, 'forbidden', {
        en: "Only a practice's assistant, physician assistant or GP links a portal account, at their own practice",
        nl: 'Alleen de assistente, physician assistant of huisarts van een praktijk koppelt een portaalaccount, bij de eigen praktijk',
      });
    }
    const found = (await current(deps.store, 'Person', id)) as PortalPerson | undefined;
    const practiceId = found && registrationOf(found) ? practiceOfPerson(found) : undefined;
    if (!found || !practiceId || !practices.includes(practiceId)) {
      refuse(ctx.language, 404, 'not-found', {
        en: `Person/${id} is no portal account of your practice`,
        nl: `Person/${id} is geen portaalaccount van uw praktijk`,
      });
    }
    const p = readParameters(body, ctx.language, '$link-patient');
    const patientId = p.reference('patient')?.replace(/^Patient\//, '');
    const bsn = p.string('bsn')?.replace(/[\s.]/g, '');
    const email = p.string('email')?.toLowerCase();
    if (!patientId || !bsn || !email) {
      refuse(ctx.language, 400, 'required', {
        en: 'Give the patient (parameter patient, a Reference), and the BSN and e-mail address you checked with the caller (parameters bsn and email)',
        nl: 'Geef de patiënt (parameter patient, een Reference) en het BSN en e-mailadres dat u met de beller controleerde (parameters bsn en email)',
      });
    }
    const linked = linkedPatients(found);
    if (linked.length) {
      refuse(ctx.language, 409, 'business-rule', {
        en: `Person/${id} is linked already, to Patient/${linked[0]}`,
        nl: `Person/${id} is al gekoppeld, aan Patient/${linked[0]}`,
      });
    }
    if (found.active === false) {
      refuse(ctx.language, 409, 'business-rule', {
        en: `Person/${id} is deactivated`,
        nl: `Person/${id} is gedeactiveerd`,
      });
    }
    if (emailOfPerson(found) !== email) {
      refuse(ctx.language, 422, 'business-rule', {
        en: `${email} is not the e-mail address of Person/${id}: ask the caller for the address they registered with; a stranger who registered with someone's details is not linked`,
        nl: `${email} is niet het e-mailadres van Person/${id}: vraag de beller naar het adres waarmee hij zich registreerde; wie zich met andermans gegevens registreerde, wordt niet gekoppeld`,
      });
    }
    const patient = await current(deps.store, 'Patient', patientId);
    if (!patient || !(await practicesOfPatient(deps.store, patient)).includes(practiceId)) {
      refuse(ctx.language, 422, 'business-rule', {
        en: `Patient/${patientId} is no patient of your practice: link the account to the practice's own record of the caller`,
        nl: `Patient/${patientId} is geen patiënt van uw praktijk: koppel het account aan het eigen dossier van de beller bij de praktijk`,
      });
    }
    if (bsnOf(patient) !== bsn) {
      refuse(ctx.language, 422, 'business-rule', {
        en: `The BSN ${bsn} is not the BSN of Patient/${patientId}: check the number with the caller (their passport, ID card or insurance card)`,
        nl: `Het BSN ${bsn} is niet het BSN van Patient/${patientId}: controleer het nummer met de beller (paspoort, identiteitskaart of zorgpas)`,
      });
    }
    const contact = await practiceContact(deps.store, practiceId);
    await deps.store.transaction(async (tx) => {
      const now = await tx.readForUpdate('Person', id);
      const locked = now?.content ? (JSON.parse(now.content) as PortalPerson) : undefined;
      // Again under the lock: of two assistants linking at once, one links.
      if (!locked || linkedPatients(locked).length) {
        refuse(ctx.language, 409, 'conflict', {
          en: `Person/${id} was linked or changed meanwhile; look at it again`,
          nl: `Person/${id} is intussen gekoppeld of gewijzigd; bekijk het opnieuw`,
        });
      }
      const { meta, ...rest } = locked;
      const person = {
        ...rest,
        ...(meta?.tag ? { meta: { tag: meta.tag } } : {}),
        link: [{ target: { reference: `Patient/${patientId}` }, assurance: LINK_ASSURANCE }],
      };
      await ctx.store
        .onBehalf(tx)
        .write({ method: 'PUT', resourceType: 'Person', id, resource: person as Resource }, now);
      await deps.mailer.send(tx.jobs, linkedMail({ to: email, practice: contact?.name ?? practiceId }));
    });
    return { status: 200, headers: {}, resource: (await current(deps.store, 'Person', id)) as Resource };
  };
}
