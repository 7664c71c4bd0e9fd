import { principalLabel, type Principal } from '../auth/principal.ts';
import { resourceScopes } from '../auth/scope-syntax.ts';
import { refuse } from '../domain/language.ts';
import { readParameters } from '../domain/parameters.ts';
import type { FhirRequest } from '../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../fhir/rest/types.ts';
import type { Hl7MessageQuery, Hl7MessageSummary, Hl7Messages } from '../fhir/storage/hl7-messages.ts';
import type { Hl7Outbox } from '../fhir/storage/hl7-outbox.ts';
import type { Resource } from '../fhir/storage/types.ts';

export interface MessageLogDeps {
  messages: () => Hl7Messages;
  /** Runs `fn` with the outbox in one database transaction. */
  inTransaction: <T>(fn: (outbox: Hl7Outbox) => Promise<T>) => Promise<T>;
  /** `Practitioner/<id>` and `client/<client id>` of the integration admins (INTEGRATION_ADMINS). */
  admins: readonly string[];
  wake: () => void;
}

type Part = { name: string; [value: `value${string}`]: unknown };

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const ID = /^\d{1,18}$/;
const STATUSES = ['applied', 'rejected', 'error', 'queued', 'sent', 'cancelled'];

/**
 * The HL7 v2 message log for integration admins: what came in and went out, with status, ACK,
 * error and the resources involved. It holds patient data, so only the people and systems the
 * operator names in INTEGRATION_ADMINS read it, and only with a token that may read everything
 * (`system/*.rs` or `user/*.rs`; changing the queue needs `u` too): an app the admin allowed
 * less gets no more through here. Everyone else is refused before anything is looked up.
 * Reading a message's raw content, and queueing one again, are in the patients' access log.
 */
export function messageLog(deps: MessageLogDeps) {
  const isAdmin = (p: Principal) =>
    (p.kind === 'practitioner' && deps.admins.includes(`Practitioner/${p.practitionerId}`)) ||
    (p.kind === 'system' && deps.admins.includes(`client/${p.clientId}`));
  const requireAdmin = (ctx: RestContext, letters: ('r' | 's' | 'u')[]) => {
    if (!isAdmin(ctx.principal)) {
      refuse(ctx.language, 403, 'forbidden', {
        en: 'The HL7 v2 message log is for integration admins (the operator names them in INTEGRATION_ADMINS)',
        nl: 'Het HL7 v2-berichtenlog is voor integratiebeheerders (de beheerder van de server noemt hen in INTEGRATION_ADMINS)',
      });
    }
    const granted = (ctx.principal as { smart?: { scope?: string } }).smart?.scope;
    const wide =
      granted === undefined ||
      resourceScopes(granted).some(
        (s) => s.resourceType === '*' && s.query === undefined && letters.every((l) => s.letters.has(l)),
      );
    if (!wide) {
      const scope = `*.${letters.includes('u') ? 'rsu' : 'rs'}`;
      refuse(ctx.language, 403, 'forbidden', {
        en: `The HL7 v2 message log holds every patient's data: the token needs system/${scope} or user/${scope}`,
        nl: `Het HL7 v2-berichtenlog bevat gegevens van alle patiënten: het token heeft system/${scope} of user/${scope} nodig`,
      });
    }
  };
  const bad = (ctx: RestContext, en: string, nl: string): never =>
    refuse(ctx.language, 400, 'invalid', { en, nl });
  /** Each patient named among `resources` gets the event in their access log. */
  const logFor = (ctx: RestContext, interaction: string, resources: string[]) =>
    ctx.audit?.record({
      interaction,
      status: 200,
      resources: resources
        .filter((r) => r.startsWith('Patient/'))
        .map((r) => ({ resourceType: 'Patient', id: r.slice(8) }) as Resource),
    });

  /** `GET /$hl7-messages?direction&status&sender&destination&type&control-id&since&until&resource&_count&before` */
  async function list(ctx: RestContext, req: FhirRequest): Promise<FhirResult> {
    requireAdmin(ctx, ['r', 's']);
    const q = req.query;
    const countText = q.get('_count') ?? '50';
    const count = Number(countText);
    if (!/^\d+$/.test(countText) || count < 1 || count > 500) {
      bad(
        ctx,
        `_count is a whole number from 1 to 500, not '${countText}'`,
        `_count is een geheel getal van 1 tot 500, niet '${countText}'`,
      );
    }
    const direction = q.get('direction');
    if (direction && direction !== 'in' && direction !== 'out')
      bad(ctx, "direction is 'in' or 'out'", "direction is 'in' of 'out'");
    const status = q.get('status');
    if (status && !STATUSES.includes(status)) {
      bad(ctx, `status is one of ${STATUSES.join(', ')}`, `status is een van ${STATUSES.join(', ')}`);
    }
    const query: Hl7MessageQuery = { count: count + 1 };
    for (const name of ['since', 'until'] as const) {
      const v = q.get(name);
      if (!v) continue;
      if (!INSTANT.test(v) || Number.isNaN(Date.parse(v))) {
        bad(
          ctx,
          `${name} is a date or an instant (e.g. 2026-12-07T10:00:00Z), not '${v}'`,
          `${name} is een datum of tijdstip (bijv. 2026-12-07T10:00:00Z), niet '${v}'`,
        );
      }
      query[name] = new Date(v).toISOString();
    }
    const before = q.get('before');
    if (before && !ID.test(before)) bad(ctx, 'before is a message id', 'before is een bericht-id');
    const set = (
      k: 'sender' | 'destination' | 'messageType' | 'controlId' | 'resource',
      v: string | null,
    ) => {
      if (v) query[k] = v;
    };
    if (direction) query.direction = direction as 'in' | 'out';
    if (status) query.status = status;
    if (before) query.before = before;
    set('sender', q.get('sender'));
    set('destination', q.get('destination'));
    set('messageType', q.get('type'));
    set('controlId', q.get('control-id'));
    set('resource', q.get('resource'));
    const found = await deps.messages().search(query);
    const page = found.slice(0, count);
    const counts = await deps.messages().counts();
    // An error or ACK may quote a message: the patients the listed messages name get the listing.
    logFor(ctx, '$hl7-messages', [...new Set(page.flatMap((m) => m.resources))]);
    return parameters([
      ...page.map((m) => ({ name: 'message', part: summaryParts(m) })),
      ...(found.length > count ? [{ name: 'next', valueString: page[page.length - 1]!.id }] : []),
      ...Object.entries(counts).map(([key, n]) => ({
        name: 'count',
        part: [
          { name: 'direction', valueCode: key.split(':')[0] },
          { name: 'status', valueCode: key.split(':')[1] },
          { name: 'count', valueInteger: n },
        ],
      })),
    ]);
  }

  /** `GET /$hl7-message?id=N`: one message with its raw content (a disclosure, logged per patient). */
  async function one(ctx: RestContext, req: FhirRequest): Promise<FhirResult> {
    requireAdmin(ctx, ['r', 's']);
    const id = req.query.get('id') ?? '';
    if (!ID.test(id))
      bad(ctx, "id is a message's number in the log", 'id is het nummer van een bericht in het log');
    const m = await deps.messages().get(id);
    if (!m) {
      refuse(ctx.language, 404, 'not-found', {
        en: `HL7 v2 message ${id} is not in the log`,
        nl: `HL7 v2-bericht ${id} staat niet in het log`,
      });
    }
    logFor(ctx, '$hl7-message', m.resources);
    return parameters([
      {
        name: 'message',
        part: [...summaryParts(m), { name: 'raw', valueBase64Binary: m.raw.toString('base64') }],
      },
    ]);
  }

  const messageParameter = (ctx: RestContext, req: FhirRequest, operation: string) => {
    const id = readParameters(req.body, ctx.language, operation).string('message') ?? '';
    if (!ID.test(id))
      bad(
        ctx,
        "Parameter 'message' is a message's number in the log",
        "Parameter 'message' is het nummer van een bericht in het log",
      );
    return id;
  };

  /**
   * `POST /$hl7-requeue` (`message`: an id): an outbound message refused by its receiver, queued
   * again after its cause was fixed, as a new message at the end of its destination's queue.
   */
  async function requeue(ctx: RestContext, req: FhirRequest): Promise<FhirResult> {
    requireAdmin(ctx, ['r', 's', 'u']);
    const id = messageParameter(ctx, req, '$hl7-requeue');
    const by = principalLabel(ctx.principal);
    const copy = await deps.inTransaction((outbox) => outbox.requeue(id, by));
    if (!copy) {
      refuse(ctx.language, 409, 'business-rule', {
        en: `Message ${id} is not an outbound message refused by its receiver: only those are queued again`,
        nl: `Bericht ${id} is geen uitgaand bericht dat de ontvanger weigerde: alleen die worden opnieuw verstuurd`,
      });
    }
    deps.wake();
    logFor(ctx, '$hl7-requeue', copy.resources);
    return parameters([
      { name: 'message', valueString: copy.id },
      { name: 'status', valueCode: 'queued' },
    ]);
  }

  /**
   * `POST /$hl7-cancel` (`message`, `reason`): a queued outbound message that can never be
   * delivered (its receiver drops it, the destination is gone) taken out of the queue, so the
   * destination's next messages go.
   */
  async function cancel(ctx: RestContext, req: FhirRequest): Promise<FhirResult> {
    requireAdmin(ctx, ['r', 's', 'u']);
    const id = messageParameter(ctx, req, '$hl7-cancel');
    const reason = readParameters(req.body, ctx.language, '$hl7-cancel').string('reason');
    const text = `cancelled by ${principalLabel(ctx.principal)}${reason ? `: ${reason}` : ''}`;
    if (!(await deps.inTransaction((outbox) => outbox.cancel(id, text)))) {
      refuse(ctx.language, 409, 'business-rule', {
        en: `Message ${id} is not a queued outbound message waiting for its next attempt (one being sent waits for its answer)`,
        nl: `Bericht ${id} is geen uitgaand bericht in de wachtrij dat op een volgende poging wacht (een bericht dat nu verstuurd wordt wacht op het antwoord)`,
      });
    }
    deps.wake();
    return parameters([
      { name: 'message', valueString: id },
      { name: 'status', valueCode: 'cancelled' },
    ]);
  }

  return { list, one, requeue, cancel };
}

function summaryParts(m: Hl7MessageSummary): Part[] {
  const s = (name: string, v: string | undefined) => (v ? [{ name, valueString: v }] : []);
  return [
    { name: 'id', valueString: m.id },
    { name: 'direction', valueCode: m.direction },
    ...s('sender', m.sender),
    ...s('destination', m.destination),
    { name: 'controlId', valueString: m.controlId },
    { name: 'type', valueString: m.messageType },
    { name: 'status', valueCode: m.status },
    { name: 'received', valueInstant: m.receivedAt },
    ...(m.sentAt ? [{ name: 'sent', valueInstant: m.sentAt }] : []),
    ...(m.direction === 'out' ? [{ name: 'attempts', valueInteger: m.attempts }] : []),
    ...(m.nextAttemptAt ? [{ name: 'nextAttempt', valueInstant: m.nextAttemptAt }] : []),
    ...s('ack', m.ack),
    ...s('error', m.error),
    ...m.resources.map((r) => ({ name: 'resource', valueReference: { reference: r } })),
    ...s('requestedBy', m.requestedBy),
  ];
}

const parameters = (parameter: unknown[]): FhirResult => ({
  status: 200,
  headers: {},
  resource: { resourceType: 'Parameters', parameter } as Resource,
});
