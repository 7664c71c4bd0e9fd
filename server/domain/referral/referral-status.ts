import type { Principal } from '../../auth/principal.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import type { Resource, StoredVersion } from '../../fhir/storage/types.ts';
import type { Mailer } from '../../jobs/mail.ts';
import { refuse, type Language } from '../language.ts';
import { readParameters } from '../parameters.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: string } | undefined;

/** What the receiving side moves a referral's Task to, from where (requested → received → accepted | rejected; accepted → completed). */
const RECEIVER_MOVES: Record<string, string[]> = {
  requested: ['received'],
  received: ['accepted', 'rejected'],
  accepted: ['completed'],
};
/** The referrer withdraws an open referral. */
const REFERRER_MOVES: Record<string, string[]> = {
  requested: ['cancelled'],
  received: ['cancelled'],
  accepted: ['cancelled'],
};
export const REFERRAL_STATUSES = ['received', 'accepted', 'rejected', 'completed', 'cancelled'] as const;

/** Where the ServiceRequest goes when its Task does (received and accepted leave it active). */
const REQUEST_FOLLOWS: Record<string, string> = {
  completed: 'completed',
  cancelled: 'revoked',
  // The receiver declines: the request ends for this performer; the referrer refers anew elsewhere.
  rejected: 'revoked',
};

const WORDS: Record<string, { nl: string; en: string }> = {
  received: { nl: 'ontvangen', en: 'received' },
  accepted: { nl: 'geaccepteerd', en: 'accepted' },
  rejected: { nl: 'afgewezen', en: 'rejected' },
  completed: { nl: 'afgerond', en: 'completed' },
  cancelled: { nl: 'ingetrokken', en: 'cancelled' },
};

const idOf = (ref: Ref, type: string): string | undefined => {
  const [t, id] = (ref?.reference ?? '').split('/');
  return t === type && id ? id : undefined;
};
const parse = (v: StoredVersion | undefined): Json | undefined =>
  v?.content ? (JSON.parse(v.content) as Json) : undefined;

/** Who a referral is from and to, as the server reads them (ids only). */
export interface Sides {
  ownerOrganization?: string;
  requesterPractitioner?: string;
  requesterOrganization?: string;
  /** The referring function (a PractitionerRole), whose correspondence e-mail hears of the status. */
  requesterRole?: Json;
}

export async function sidesOf(raw: ResourceStore, task: Json, request: Json | undefined): Promise<Sides> {
  const sides: Sides = {};
  const owner = task.owner as Ref;
  sides.ownerOrganization = idOf(owner, 'Organization');
  if (!sides.ownerOrganization && idOf(owner, 'PractitionerRole')) {
    const role = parse(await raw.read('PractitionerRole', idOf(owner, 'PractitionerRole')!));
    sides.ownerOrganization = idOf(role?.organization as Ref, 'Organization');
  }
  for (const requester of [task.requester as Ref, request?.requester as Ref]) {
    if (idOf(requester, 'PractitionerRole')) {
      const role = parse(await raw.read('PractitionerRole', idOf(requester, 'PractitionerRole')!));
      if (!role) continue;
      sides.requesterRole = role;
      sides.requesterPractitioner = idOf(role.practitioner as Ref, 'Practitioner');
      sides.requesterOrganization = idOf(role.organization as Ref, 'Organization');
      break;
    }
    sides.requesterPractitioner ??= idOf(requester, 'Practitioner');
    sides.requesterOrganization ??= idOf(requester, 'Organization');
  }
  return sides;
}

/** A practitioner acting at `organization` (their login for it, or a role there), or that organisation's system. */
function actsFor(p: Principal, organization: string | undefined): boolean {
  if (!organization) return false;
  if (p.kind === 'system') return p.organizationId === organization;
  if (p.kind !== 'practitioner') return false;
  if (p.organizationId && p.organizationId !== organization) return false;
  return p.roles.some((r) => r.organizationId === organization);
}

const trusted = (p: Principal) => p.kind === 'system' && p.trusted === true;

export interface ReferralStatusDeps {
  mailer: Mailer;
  /**
   * Queues the SRM^S04 withdrawing an appointment request, as the caller, after the cancel
   * commits: what was queued (Parameters), a refusal's text, or undefined when none was asked.
   */
  withdrawAppointment(
    ctx: RestContext,
    serviceRequestId: string,
    req: FhirRequest,
  ): Promise<Resource | string | undefined>;
}

/**
 * `POST Task/[id]/$referral-status` (`status`, `reason`): the referral's workflow moves on. The
 * receiving side (a practitioner with a role at the Task's owner, or the owner's system) takes
 * it in (received), accepts or rejects it (a reason is required), and completes it; the
 * referring side (the requester, their organisation's logins and systems) cancels it while it is
 * open. Other moves are 409 naming those allowed. The Task is the referrer's record (their
 * custodian), so the gate would not let the receiver write it: this operation is what decides,
 * and writes on the caller's behalf, logged as theirs. The ServiceRequest follows (completed →
 * completed; cancelled or rejected → revoked), the referrer's correspondence e-mail hears of it
 * through the mail outbox, and subscribers through their Subscriptions (the write's own hook).
 */
export function referralStatus(deps: ReferralStatusDeps) {
  return async (ctx: RestContext, id: string, req: FhirRequest): Promise<FhirResult> => {
    const lang = ctx.language;
    const p = readParameters(req.body, lang, '$referral-status');
    const status = p.string('status');
    const reason = p.string('reason');
    if (!status || !(REFERRAL_STATUSES as readonly string[]).includes(status)) {
      refuse(lang, 400, 'required', {
        en: `Parameter 'status' is one of ${REFERRAL_STATUSES.join(', ')}`,
        nl: `Parameter 'status' is een van ${REFERRAL_STATUSES.join(', ')}`,
      });
    }
    if (status === 'rejected' && !reason) {
      refuse(lang, 400, 'required', {
        en: "A rejection says why: parameter 'reason' (text for the referrer)",
        nl: "Een afwijzing zegt waarom: parameter 'reason' (tekst voor de verwijzer)",
      });
    }
    // Whether the caller may know of the Task at all decides how a refusal sounds.
    const seen = (await ctx.store.lookup('Task', id)).kind === 'live';
    const outcome = await ctx.store.transaction(async (store, raw) => {
      const current = await raw.readForUpdate('Task', id);
      const task = parse(current);
      const focus = idOf(task?.focus as Ref, 'ServiceRequest');
      const requestVersion = focus ? await raw.readForUpdate('ServiceRequest', focus) : undefined;
      const request = parse(requestVersion);
      const sides = task ? await sidesOf(raw, task, request) : {};
      const receiver = task
        ? trusted(ctx.principal) || actsFor(ctx.principal, sides.ownerOrganization)
        : false;
      const referrer = task
        ? trusted(ctx.principal) ||
          (ctx.principal.kind === 'practitioner' &&
            ctx.principal.practitionerId === sides.requesterPractitioner) ||
          actsFor(ctx.principal, sides.requesterOrganization)
        : false;
      if (!task || (!seen && !receiver && !referrer)) {
        refuse(lang, 404, 'not-found', { en: `Task/${id} is not known`, nl: `Task/${id} is niet bekend` });
      }
      if (!focus || !request) {
        refuse(lang, 422, 'business-rule', {
          en: `Task/${id} is not a referral's workflow: its focus names no ServiceRequest`,
          nl: `Task/${id} is geen werkstroom van een verwijzing: de focus noemt geen ServiceRequest`,
        });
      }
      const side = status === 'cancelled' ? referrer : receiver;
      if (!side) {
        refuse(lang, 403, 'forbidden', {
          en:
            status === 'cancelled'
              ? `Only the referrer of Task/${id} or their organisation cancels it`
              : `Only the receiving organisation of Task/${id} (its owner: a practitioner with a role there, or its system) sets it ${status}`,
          nl:
            status === 'cancelled'
              ? `Alleen de verwijzer van Task/${id} of diens organisatie trekt de verwijzing in`
              : `Alleen de ontvangende organisatie van Task/${id} (de owner: een zorgverlener met een rol daar, of haar systeem) zet hem op ${WORDS[status]!.nl}`,
        });
      }
      const from = task.status as string;
      const allowed = [
        ...(receiver ? (RECEIVER_MOVES[from] ?? []) : []),
        ...(referrer ? (REFERRER_MOVES[from] ?? []) : []),
      ];
      if (!allowed.includes(status)) {
        refuse(lang, 409, 'business-rule', {
          en: `Task/${id} is ${from}: ${allowed.length ? `from there you may set ${allowed.join(' or ')}` : 'it cannot change any more'}, not ${status}`,
          nl: `Task/${id} is ${from}: ${allowed.length ? `van daaruit mag u ${allowed.join(' of ')} zetten` : 'hij verandert niet meer'}, niet ${status}`,
        });
      }
      const now = new Date().toISOString();
      const onBehalf = store.onBehalf(raw);
      const next: Json = {
        ...task,
        status,
        lastModified: now,
        ...(reason ? { statusReason: { text: reason } } : {}),
      };
      if (!reason) delete next.statusReason;
      await onBehalf.write({ resourceType: 'Task', id, method: 'PUT', resource: next as Resource }, current);
      const follows = REQUEST_FOLLOWS[status];
      if (follows && request.status !== follows) {
        await onBehalf.write(
          {
            resourceType: 'ServiceRequest',
            id: focus,
            method: 'PUT',
            resource: { ...request, status: follows } as unknown as Resource,
          },
          requestVersion,
        );
      }
      await mailReferrer(raw, deps.mailer, sides, request, id, status, reason);
      return { task: next, focus, from };
    });
    const withdrawal =
      status === 'cancelled' ? await deps.withdrawAppointment(ctx, outcome.focus, req) : undefined;
    return {
      status: 200,
      headers: {},
      resource: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'task', resource: outcome.task },
          ...(withdrawal && typeof withdrawal !== 'string'
            ? [{ name: 'withdrawal', resource: withdrawal }]
            : withdrawal
              ? [{ name: 'warning', valueString: withdrawal }]
              : []),
        ],
      } as Resource,
    };
  };
}

/**
 * The referring function's correspondence e-mail (the requesting PractitionerRole's telecom
 * email), in the transaction of the change: hears the new status. None on file: no mail.
 */
export async function mailReferrer(
  raw: ResourceStore,
  mailer: Mailer,
  sides: Sides,
  request: Json,
  taskId: string,
  status: string,
  reason?: string,
): Promise<void> {
  const email = ((sides.requesterRole?.telecom ?? []) as { system?: string; value?: string }[]).find(
    (t) => t.system === 'email' && t.value,
  )?.value;
  if (!email) return;
  const receiverName = sides.ownerOrganization
    ? ((parse(await raw.read('Organization', sides.ownerOrganization))?.name as string | undefined) ??
      `Organization/${sides.ownerOrganization}`)
    : 'de ontvanger';
  await mailer.send(raw.jobs, statusMail(email, request, taskId, status, receiverName, reason));
}

/**
 * The referrer's notice: what happened to which referral, where — no patient data (e-mail is no
 * place for it); the details are in the Task they read with their own login.
 */
function statusMail(
  to: string,
  request: Json,
  taskId: string,
  status: string,
  receiver: string,
  reason?: string,
) {
  const identifier =
    ((request.identifier ?? []) as { value?: string }[])[0]?.value ??
    `ServiceRequest/${request.id as string}`;
  const w = WORDS[status]!;
  const lines = (language: Language) =>
    language === 'nl'
      ? [
          `Uw verwijzing ${identifier} is ${w.nl} door ${receiver}.`,
          ...(reason ? [`Reden: ${reason}`] : []),
          `De details staan in Task/${taskId} (Zorgpoort).`,
        ]
      : [
          `Your referral ${identifier} was ${w.en} by ${receiver}.`,
          ...(reason ? [`Reason: ${reason}`] : []),
          `The details are in Task/${taskId} (Zorgpoort).`,
        ];
  return {
    to,
    subject: `Verwijzing ${identifier}: ${w.nl} / Referral ${identifier}: ${w.en}`,
    text: [...lines('nl'), '', ...lines('en')].join('\n'),
  };
}
