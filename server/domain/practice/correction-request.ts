import { randomUUID } from 'node:crypto';
import type { BundleEntry } from '../../fhir/bundle/entry-request.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import { refuse, type Said } from '../language.ts';
import { isCorrectionCommunication } from './correction-codes.ts';
import { described, resolveEntry, samePerson, storedParty, type Party } from './correction-parties.ts';
import { requireOpenService } from './session-services.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: unknown } | undefined;

/** One request for a correction: its Communication's entry and the Task it will get. */
export interface CorrectionAsked {
  index: number;
  taskId: string;
  topic?: string;
}

/** A correction request checked and ready for the transaction. */
export interface CheckedRequest {
  /** The entries as the transaction takes them (the parties matched to what is stored, not created). */
  entries: BundleEntry[];
  patient: Party;
  practice: Party;
  asked: CorrectionAsked[];
}

/** What a correction request Bundle holds: the request and the parties it names. */
const PARTIES = new Set(['Patient', 'Organization', 'Practitioner', 'PractitionerRole']);

/** A transaction Bundle (or a batch, to be told otherwise) with a correction request in it. */
export function isCorrectionRequest(body: unknown): boolean {
  const b = body as { resourceType?: unknown; type?: unknown; entry?: unknown } | undefined;
  if (b?.resourceType !== 'Bundle' || (b.type !== 'transaction' && b.type !== 'batch')) return false;
  if (!Array.isArray(b.entry)) return false;
  return b.entry.some((e: { resource?: Json } | null) => isCorrectionCommunication(e?.resource));
}

/**
 * Checks a correction request (MedMij PatientCorrections 1.0) from a patient's health app: sent
 * by the patient (a conformance token or a login), about their own record, to a practice known
 * here. Its Patient, Organization, Practitioner and PractitionerRole entries are matched to the
 * stored ones (conditional creates on `_id`, so nothing of them is written and the answer shows
 * them as stored); each Communication gets the Task the practice will handle it by (`about`) and
 * the time it was received. Anything else in the Bundle is refused.
 */
export async function checkCorrectionRequest(
  ctx: RestContext,
  entries: BundleEntry[],
  now: Date,
): Promise<CheckedRequest> {
  const lang = ctx.language;
  const no = (status: number, text: Said): never =>
    refuse(lang, status, status === 403 ? 'forbidden' : 'business-rule', text);
  const principal = ctx.principal;
  if (principal.kind !== 'patient') {
    return no(403, {
      en: 'A correction request is sent by a patient, about their own record (MedMij PatientCorrections)',
      nl: 'Een correctieverzoek stuurt een patiënt, over het eigen dossier (MedMij PatientCorrections)',
    });
  }
  requireOpenService(principal, 'record', lang);

  entries.forEach((e, i) => {
    const type = e.resource?.resourceType as string | undefined;
    const url = e.request?.url?.replace(`${ctx.baseUrl}/`, '').split('?')[0];
    if (e.request?.method !== 'POST' || url !== type) {
      no(422, {
        en: `Entry ${i} of the correction request is a ${e.request?.method ?? '(no method)'} ${e.request?.url ?? ''}: a correction request only sends (POST [type]) its Communications and the parties they name`,
        nl: `Onderdeel ${i} van het correctieverzoek is een ${e.request?.method ?? '(geen methode)'} ${e.request?.url ?? ''}: een correctieverzoek stuurt alleen (POST [type]) zijn Communications en de partijen die ze noemen`,
      });
    }
    if (type === 'Task') {
      no(422, {
        en: `Entry ${i}: a correction request carries no Task; the practice's Task is made by the server, and the answer names it`,
        nl: `Onderdeel ${i}: een correctieverzoek bevat geen Task; de Task van de praktijk maakt de server, het antwoord noemt hem`,
      });
    }
    if (type !== 'Communication' ? !PARTIES.has(type!) : !isCorrectionCommunication(e.resource)) {
      no(422, {
        en: `Entry ${i} (${type}) does not belong in a correction request: it holds correction request Communications (category medRecCxReq) and the Patient, Organization, Practitioner and PractitionerRole they name`,
        nl: `Onderdeel ${i} (${type}) hoort niet in een correctieverzoek: dat bevat Communications met het verzoek (categorie medRecCxReq) en de Patient, Organization, Practitioner en PractitionerRole die ze noemen`,
      });
    }
  });

  const own = await storedParty(ctx, 'Patient', principal.patientId);
  if (!own) {
    return no(422, {
      en: 'Your record is not known here, so there is nothing to correct',
      nl: 'Uw dossier is hier niet bekend, dus er valt niets te corrigeren',
    });
  }

  // The parties, matched to what is stored: their entries become conditional creates that match.
  const out = entries.map((e) => ({ ...e }));
  const byFullUrl = new Map<string, Party>();
  const patients = entries.filter((e) => e.resource!.resourceType === 'Patient').length;
  if (patients > 1) {
    no(422, {
      en: 'A correction request carries one Patient: yourself',
      nl: 'Een correctieverzoek bevat één Patient: uzelf',
    });
  }
  for (const [i, e] of entries.entries()) {
    const type = e.resource!.resourceType as string;
    if (type === 'Communication') continue;
    let party: Party;
    if (type === 'Patient') {
      if (!samePerson(e.resource!, own)) {
        no(403, {
          en: `The Patient of the correction request (${described(i, e.resource!)}) is not you: a correction request is about your own record`,
          nl: `De Patient in het correctieverzoek (${described(i, e.resource!)}) bent u niet: een correctieverzoek gaat over uw eigen dossier`,
        });
      }
      party = own;
    } else {
      party = await resolveEntry(ctx, i, e);
    }
    out[i] = { ...e, request: { method: 'POST', url: type, ifNoneExist: `_id=${party.id}` } };
    if (e.fullUrl) byFullUrl.set(e.fullUrl, party);
  }

  const partyOf = async (ref: Ref): Promise<Party | undefined> => {
    const r = typeof ref?.reference === 'string' ? ref.reference : undefined;
    if (!r) return undefined;
    if (byFullUrl.has(r)) return byFullUrl.get(r);
    const local = r.startsWith(`${ctx.baseUrl}/`) ? r.slice(ctx.baseUrl.length + 1) : r;
    const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(local);
    return m ? storedParty(ctx, m[1]!, m[2]!) : undefined;
  };
  const isOwn = (p: Party | undefined) => p?.resourceType === 'Patient' && p.id === own.id;

  let practice: Party | undefined;
  const asked: CorrectionAsked[] = [];
  for (const [i, e] of entries.entries()) {
    const c = e.resource!;
    if (c.resourceType !== 'Communication') continue;
    if (!isOwn(await partyOf(c.subject as Ref)) || (c.sender && !isOwn(await partyOf(c.sender as Ref)))) {
      no(403, {
        en: `The correction request of entry ${i} is about and from yourself: its subject (and sender) is your own Patient`,
        nl: `Het correctieverzoek in onderdeel ${i} gaat over en komt van uzelf: subject (en sender) is uw eigen Patient`,
      });
    }
    const payload = (c.payload ?? []) as Json[];
    const says = payload.some(
      (p) =>
        (typeof p.contentString === 'string' && p.contentString.trim()) ||
        p.contentAttachment ||
        p.contentReference,
    );
    if (!says) {
      no(422, {
        en: `The correction request of entry ${i} says nothing: its payload tells the practice what to correct`,
        nl: `Het correctieverzoek in onderdeel ${i} zegt niets: de payload vertelt de praktijk wat er gecorrigeerd moet worden`,
      });
    }
    const to = await recipientPractice(ctx, i, (c.recipient ?? []) as Ref[], partyOf);
    if (practice && practice.id !== to.id) {
      no(422, {
        en: `The correction requests of one Bundle go to one practice: entry ${i} goes to Organization/${to.id}, an earlier one to Organization/${practice.id}`,
        nl: `De correctieverzoeken in één Bundle gaan naar één praktijk: onderdeel ${i} gaat naar Organization/${to.id}, een eerder naar Organization/${practice.id}`,
      });
    }
    practice = to;
    const taskId = randomUUID();
    const topic = (c.topic as { text?: unknown } | undefined)?.text;
    asked.push({ index: i, taskId, ...(typeof topic === 'string' ? { topic } : {}) });
    out[i] = {
      ...e,
      fullUrl: e.fullUrl ?? `urn:uuid:${randomUUID()}`,
      resource: {
        ...c,
        ...(c.sender ? {} : { sender: c.subject }),
        received: now.toISOString(),
        about: [
          ...((c.about ?? []) as Json[]),
          { reference: `Task/${taskId}`, type: 'Task', display: 'Correctieverzoek / correction request' },
        ],
      },
    };
  }
  return { entries: out, patient: own, practice: practice!, asked };
}

/**
 * The practice a request goes to: its Organization recipient, or the organisation of the
 * PractitionerRole it names; a caregiver named must work there.
 */
async function recipientPractice(
  ctx: RestContext,
  index: number,
  recipients: Ref[],
  partyOf: (ref: Ref) => Promise<Party | undefined>,
): Promise<Party> {
  const lang = ctx.language;
  const parties: Party[] = [];
  for (const r of recipients) {
    const p = await partyOf(r);
    if (!p || !['Organization', 'PractitionerRole', 'Practitioner'].includes(p.resourceType)) {
      refuse(lang, 422, 'business-rule', {
        en: `A recipient of the correction request of entry ${index} (${String(r?.reference)}) is not a practice or caregiver known here`,
        nl: `Een ontvanger van het correctieverzoek in onderdeel ${index} (${String(r?.reference)}) is geen praktijk of zorgverlener die hier bekend is`,
      });
    }
    parties.push(p);
  }
  const roleOrg = (p: Party) =>
    /^Organization\/(.+)$/.exec(String((p.stored.organization as Ref)?.reference ?? ''))?.[1];
  const orgIds = new Set([
    ...parties.filter((p) => p.resourceType === 'Organization').map((p) => p.id),
    ...parties.filter((p) => p.resourceType === 'PractitionerRole').flatMap((p) => roleOrg(p) ?? []),
  ]);
  if (orgIds.size !== 1) {
    refuse(lang, 422, 'business-rule', {
      en: `The correction request of entry ${index} goes to ${orgIds.size ? 'more than one practice' : 'no practice'}: name one as its recipient (an Organization)`,
      nl: `Het correctieverzoek in onderdeel ${index} gaat naar ${orgIds.size ? 'meer dan één praktijk' : 'geen praktijk'}: noem er één als ontvanger (een Organization)`,
    });
  }
  const [id] = orgIds;
  const practice =
    parties.find((p) => p.resourceType === 'Organization' && p.id === id) ??
    (await storedParty(ctx, 'Organization', id!));
  if (!practice) {
    return refuse(lang, 422, 'business-rule', {
      en: `The practice of the correction request of entry ${index} (Organization/${id}) is not known here`,
      nl: `De praktijk van het correctieverzoek in onderdeel ${index} (Organization/${id}) is hier niet bekend`,
    });
  }
  return practice;
}
