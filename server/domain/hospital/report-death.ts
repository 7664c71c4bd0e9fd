import { randomUUID } from 'node:crypto';
import { CUSTODIAN_SYSTEM, custodianOf } from '../../access/rules/treatment-relationship.ts';
import { loadCurrent } from '../../fhir/rest/read.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';
import { readAs } from '../referral/parties.ts';
import { searchAll } from '../search-all.ts';
import { DEATH_REPORT, DEATH_REPORTED, PORTAL_SYSTEM } from './vocabulary.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: string } | undefined;

export const REPORT_DEATH_OPERATION = 'https://zorgpoort.nl/fhir/OperationDefinition/Patient-report-death';

/** A Task that still waits for the hospital: a second report then is refused (409). */
const OPEN = ['draft', 'requested', 'received', 'accepted', 'ready', 'in-progress', 'on-hold'];

const DATE = /^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$/;
const DATE_TIME =
  /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;

/** A calendar day that exists (no 31 April): a full date read back as itself. */
const realDay = (day: string) =>
  day.length < 10 || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;

/** Today in the Netherlands (a date of death is a Dutch calendar day). */
const today = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date()).slice(0, 10);

function checkDate(ctx: RestContext, date: string | undefined, birthDate: unknown): string {
  if (!date) {
    refuse(ctx.language, 400, 'required', {
      en: "Parameter 'date' (valueDate or valueDateTime) says when the patient died",
      nl: "Parameter 'date' (valueDate of valueDateTime) zegt wanneer de patiënt overleed",
    });
  }
  const timed = date.includes('T');
  if (!(timed ? DATE_TIME : DATE).test(date) || !realDay(date.slice(0, 10))) {
    refuse(ctx.language, 400, 'invalid', {
      en: `'${date}' is not a date (YYYY-MM-DD) or a date and time with a time zone`,
      nl: `'${date}' is geen datum (JJJJ-MM-DD) of datum en tijd met tijdzone`,
    });
  }
  const day = date.slice(0, 10);
  const future = timed ? Date.parse(date) > Date.now() + 60_000 : day > today().slice(0, day.length);
  if (future) {
    refuse(ctx.language, 400, 'business-rule', {
      en: `The date of death ${date} is in the future`,
      nl: `De overlijdensdatum ${date} ligt in de toekomst`,
    });
  }
  if (typeof birthDate === 'string') {
    const n = Math.min(day.length, birthDate.length, 10);
    if (day.slice(0, n) < birthDate.slice(0, n)) {
      refuse(ctx.language, 400, 'business-rule', {
        en: `The date of death ${date} is before the patient's birth (${birthDate})`,
        nl: `De overlijdensdatum ${date} ligt vóór de geboorte van de patiënt (${birthDate})`,
      });
    }
  }
  return date;
}

/**
 * `POST Patient/[id]/$report-death` (date, source, hospital?): a caregiver who knows the patient
 * (sees them through the gate: a treatment relationship) tells the hospital the patient died
 * (seed 002, 2.2 "Melden overlijden patiënt"). The hospital's own data is never overwritten:
 * Patient.deceased[x] stays as it is. In one transaction the server writes, on the caller's
 * behalf (logged as theirs), a Task to the hospital (requested, intent order, owner the
 * hospital: the `hospital` parameter, else the Patient's managingOrganization, else the
 * organisation that holds the Patient record; input the date, the source and the mark) and a
 * provisional mark, a Flag (active, "overlijden gemeld (voorlopig)", author the caregiver,
 * period.start the date). Both are held by the hospital (custodian tag): the report is its to
 * handle — its system sees the Task as its owner, completes it, sets deceased itself and ends
 * the Flag. The caller writes them with the server's rights: by the gate's write rules a
 * caregiver could not write a record the hospital holds. A report while one is open: 409.
 */
export function reportDeath() {
  return async (ctx: RestContext, id: string, req: FhirRequest): Promise<FhirResult> => {
    const who = ctx.principal;
    if (who.kind !== 'practitioner') {
      refuse(ctx.language, 403, 'forbidden', {
        en: 'A death is reported by a caregiver who knows the patient (their GP, say), logged in as themself; a patient, a relative or a system client cannot report one here',
        nl: 'Een overlijden wordt gemeld door een zorgverlener die de patiënt kent (bijvoorbeeld de huisarts), ingelogd als zichzelf; een patiënt, naaste of systeem kan dat hier niet',
      });
    }
    // It writes a Task and a Flag: the caller's app needs the scopes to create those.
    ctx.store.assertAllowed('create', false, 'Task');
    ctx.store.assertAllowed('create', false, 'Flag');
    const p = readParameters(req.body, ctx.language, '$report-death');
    for (const name of ['date', 'source', 'hospital']) {
      if (p.count(name) > 1) {
        refuse(ctx.language, 400, 'invalid', {
          en: `Parameter '${name}' may only be given once`,
          nl: `Parameter '${name}' mag maar één keer worden opgegeven`,
        });
      }
    }
    const source = p.string('source');
    if (!source) {
      refuse(ctx.language, 400, 'required', {
        en: "Parameter 'source' (valueString) says how you know of the death",
        nl: "Parameter 'source' (valueString) zegt hoe u van het overlijden weet",
      });
    }
    const hospitalRef = p.reference('hospital');
    if (p.strings('hospital').length && !hospitalRef) {
      refuse(ctx.language, 400, 'invalid', {
        en: 'Parameter \'hospital\' is a valueReference (e.g. {"reference": "Organization/1"})',
        nl: 'Parameter \'hospital\' is een valueReference (bijv. {"reference": "Organization/1"})',
      });
    }
    // As the caller, before the transaction (a hidden patient answers as a missing one, and the
    // emergency hint reads beside it: the embedded database has one connection).
    await loadCurrent(ctx, 'Patient', id);
    const hospital = hospitalRef
      ? await readAs(ctx, { reference: hospitalRef }, ['Organization'])
      : undefined;
    if (hospitalRef && !hospital) {
      refuse(ctx.language, 422, 'business-rule', {
        en: `${hospitalRef} is not an organisation known here`,
        nl: `${hospitalRef} is geen hier bekende organisatie`,
      });
    }
    return ctx.store.transaction(async (store, raw) => {
      const tx: RestContext = { ...ctx, store };
      // Again, locked: two reports at once are one after the other.
      const found = await store.lookup('Patient', id, true);
      if (found.kind !== 'live') {
        refuse(ctx.language, 404, 'not-found', {
          en: `Patient/${id} is not known`,
          nl: `Patient/${id} is niet bekend`,
        });
      }
      const patient = JSON.parse(found.version.content!) as Json;
      const date = checkDate(ctx, p.dateOrDateTime('date'), patient.birthDate);
      const ownerId =
        (hospital?.id as string | undefined) ??
        /^Organization\/([^/]+)$/.exec((patient.managingOrganization as Ref)?.reference ?? '')?.[1] ??
        custodianOf(patient as Resource);
      if (!ownerId) {
        refuse(ctx.language, 422, 'business-rule', {
          en: "No hospital holds this patient's record: name it in parameter 'hospital'",
          nl: "Geen ziekenhuis beheert het dossier van deze patiënt: noem het in parameter 'hospital'",
        });
      }
      // The server's view: a report the caller may not see (held by the hospital) still counts.
      const open = store.onBehalf(raw);
      // The report goes to a hospital that holds this patient's record, never to any organisation
      // the caller names (its staff would read the Task and its patient).
      const holds = await searchAll(
        { ...tx, store: open },
        { compartment: { resourceType: 'Patient', id } },
        [
          ['_tag', `${CUSTODIAN_SYSTEM}|${ownerId}`],
          ['_elements', 'id'],
        ],
      );
      const managing =
        (patient.managingOrganization as Ref | undefined)?.reference === `Organization/${ownerId}`;
      if (!managing && custodianOf(patient as Resource) !== ownerId && holds.length === 0) {
        refuse(ctx.language, 422, 'business-rule', {
          en: `Organization/${ownerId} holds no record of this patient: a death is reported to a hospital that does`,
          nl: `Organization/${ownerId} heeft geen dossier van deze patiënt: een overlijden wordt gemeld aan een ziekenhuis dat dat wel heeft`,
        });
      }
      const pending = await searchAll({ ...tx, store: open }, { resourceType: 'Task' }, [
        ['subject', `Patient/${id}`],
        ['code', `${PORTAL_SYSTEM}|death-report`],
        ['owner', `Organization/${ownerId}`],
        ['status', OPEN.join(',')],
      ]);
      if (pending.length) {
        // Without the Task's id: the caller may not see that report, or who made it.
        refuse(ctx.language, 409, 'conflict', {
          en: `The death of Patient/${id} was reported to this hospital already and it has not handled that yet`,
          nl: `Het overlijden van Patient/${id} is al aan dit ziekenhuis gemeld en het heeft dat nog niet afgehandeld`,
        });
      }
      const role = who.roles.find((r) => r.organizationId === who.organizationId) ?? who.roles[0];
      const requester = role
        ? { reference: `PractitionerRole/${role.practitionerRoleId}` }
        : { reference: `Practitioner/${who.practitionerId}` };
      const held = { tag: [{ system: CUSTODIAN_SYSTEM, code: ownerId }] };
      const now = new Date().toISOString();
      const ids = { task: randomUUID(), flag: randomUUID() };
      const subject = { reference: `Patient/${id}` };
      const dated = date.includes('T') ? { valueDateTime: date } : { valueDate: date };
      const flag: Json = {
        resourceType: 'Flag',
        id: ids.flag,
        meta: held,
        status: 'active',
        code: DEATH_REPORTED,
        subject,
        period: { start: date },
        author: requester,
      };
      const task: Json = {
        resourceType: 'Task',
        id: ids.task,
        meta: held,
        status: 'requested',
        // A proposal, not an order: an open order Task is a referral, a treatment relationship
        // for its owner and requester (server/access/facts), and a report of a death must
        // give nobody access to the patient.
        intent: 'proposal',
        code: DEATH_REPORT,
        description: `Overlijden gemeld op ${date}: ${source} / Death reported for ${date}: ${source}`,
        for: subject,
        authoredOn: now,
        lastModified: now,
        requester,
        owner: { reference: `Organization/${ownerId}` },
        input: [
          {
            type: {
              coding: [{ system: PORTAL_SYSTEM, code: 'date-of-death' }],
              text: 'Overlijdensdatum / date of death',
            },
            ...dated,
          },
          {
            type: { coding: [{ system: PORTAL_SYSTEM, code: 'source' }], text: 'Bron / source' },
            valueString: source,
          },
          {
            type: {
              coding: [{ system: PORTAL_SYSTEM, code: 'provisional-mark' }],
              text: 'Voorlopige markering / provisional mark',
            },
            valueReference: { reference: `Flag/${ids.flag}` },
          },
        ],
      };
      await open.insertNew([
        { resourceType: 'Task', id: ids.task, resource: task as Resource },
        { resourceType: 'Flag', id: ids.flag, resource: flag as Resource },
      ]);
      return {
        status: 201,
        headers: { Location: `${ctx.baseUrl}/Task/${ids.task}` },
        resource: task as Resource,
      };
    });
  };
}
