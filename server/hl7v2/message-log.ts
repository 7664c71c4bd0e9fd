import type { Principal } from '../auth/principal.ts';
import { refuse } from '../domain/language.ts';
import { readParameters } from '../domain/parameters.ts';
import type { FhirRequest } from '../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../fhir/rest/types.ts';
import type { Hl7MessageQuery, Hl7MessageSummary, Hl7Messages } from '../fhir/storage/hl7-messages.ts';
import type { Hl7Outbox } from '../fhir/storage/hl7-outbox.ts';
import type { Resource } from '../fhir/storage/types.ts';

export interface MessageLogDeps {
  messages: () => Hl7Messages;
  outbox: () => Hl7Outbox;
  /** `Practitioner/<id>` and `client/<client id>` of the integration admins (INTEGRATION_ADMINS). */
  admins: readonly string[];
  wake: () => void;
}

type Part = { name: string; [value: `value${string}`]: unknown };

/**
 * The HL7 v2 message log for integration admins: what came in and went out, with status, ACK,
 * error and the resources involved. It holds patient data, so only the people and systems the
 * operator names in INTEGRATION_ADMINS read it; everyone else is refused before anything is
 * looked up. Reading a message's raw content is in the patients' access log.
 */
export function messageLog(deps: MessageLogDeps) {
  const isAdmin = (p: Principal) =>
    (p.kind === 'practitioner' && deps.admins.includes(`Practitioner/${p.practitionerId}`)) ||
    (p.kind === 'system' && deps.admins.includes(`client/${p.clientId}`));
  const requireAdmin = (ctx: RestContext) => {
    if (!isAdmin(ctx.principal)) {
      refuse(ctx.language, 403, 'forbidden', {
        en: 'The HL7 v2 message log is for integration admins (the operator names them in INTEGRATION_ADMINS)',
        nl: 'Het HL7 v2-berichtenlog is voor integratiebeheerders (de beheerder van de server noemt hen in INTEGRATION_ADMINS)',
      });
    }
  };

  /** `GET /$hl7-messages?direction&status&sender&destination&type&control-id&since&until&resource&_count&before` */
  async function list(ctx: RestContext, req: FhirRequest): Promise<FhirResult> {
    requireAdmin(ctx);
    const q = req.query;
    const count = Math.min(Number(q.get('_count') ?? 50) || 50, 500);
    const direction = q.get('direction') ?? undefined;
    if (direction && direction !== 'in' && direction !== 'out') {
      refuse(ctx.language, 400, 'invalid', {
        en: "direction is 'in' or 'out'",
        nl: "direction is 'in' of 'out'",
      });
    }
    for (const name of ['since', 'until']) {
      const v = q.get(name);
      if (v && Number.isNaN(Date.parse(v))) {
        refuse(ctx.language, 400, 'invalid', {
          en: `${name} is an instant (e.g. 2026-12-07T10:00:00Z), not '${v}'`,
          nl: `${name} is een tijdstip (bijv. 2026-12-07T10:00:00Z), niet '${v}'`,
        });
      }
    }
    const before = q.get('before') ?? undefined;
    if (before && !/^\d{1,18}$/.test(before)) {
      refuse(ctx.language, 400, 'invalid', { en: 'before is a message id', nl: 'before is een bericht-id' });
    }
    const query: Hl7MessageQuery = { count: count + 1 };
    const set = <K extends keyof Hl7MessageQuery>(k: K, v: string | null) => {
      if (v) query[k] = v as Hl7MessageQuery[K];
    };
    set('direction', direction ?? null);
    set('status', q.get('status'));
    set('sender', q.get('sender'));
    set('destination', q.get('destination'));
    set('messageType', q.get('type'));
    set('controlId', q.get('control-id'));
    set('since', q.get('since'));
    set('until', q.get('until'));
    set('resource', q.get('resource'));
    set('before', before ?? null);
    const found = await deps.messages().search(query);
    const page = found.slice(0, count);
    const counts = await deps.messages().counts();
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
    requireAdmin(ctx);
    const id = req.query.get('id') ?? '';
    const m = await deps.messages().get(id);
    if (!m) {
      refuse(ctx.language, 404, 'not-found', {
        en: `HL7 v2 message ${id || '(no id)'} is not in the log`,
        nl: `HL7 v2-bericht ${id || '(geen id)'} staat niet in het log`,
      });
    }
    const patients = m.resources
      .filter((r) => r.startsWith('Patient/'))
      .map((r) => ({ resourceType: 'Patient', id: r.slice(8) }) as Resource);
    ctx.audit?.record({ interaction: '$hl7-message', status: 200, resources: patients });
    return parameters([
      {
        name: 'message',
        part: [...summaryParts(m), { name: 'raw', valueBase64Binary: m.raw.toString('base64') }],
      },
    ]);
  }

  /** `POST /$hl7-requeue` (`message`: an id): a refused outbound message queued again, after its cause was fixed. */
  async function requeue(ctx: RestContext, req: FhirRequest): Promise<FhirResult> {
    requireAdmin(ctx);
    const id = readParameters(req.body, ctx.language, '$hl7-requeue').string('message') ?? '';
    if (!/^\d{1,18}$/.test(id) || !(await deps.outbox().requeue(id))) {
      refuse(ctx.language, 409, 'business-rule', {
        en: `Message ${id || '(none)'} is not an outbound message refused by its receiver: only those are queued again`,
        nl: `Bericht ${id || '(geen)'} is geen uitgaand bericht dat de ontvanger weigerde: alleen die worden opnieuw verstuurd`,
      });
    }
    deps.wake();
    return parameters([
      { name: 'message', valueString: id },
      { name: 'status', valueCode: 'queued' },
    ]);
  }

  return { list, one, requeue };
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
