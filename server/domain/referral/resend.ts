import { randomBytes } from 'node:crypto';
import { decodeMessage, encodeMessage } from '../../../mappers/hl7/charset.ts';
import { principalLabel } from '../../auth/principal.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';
import { covers, functionScope } from './functions.ts';
import { CLUSTER_EXTENSION, FUNCTION_SYSTEM } from './vocabulary.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: string } | undefined;

const idOf = (ref: Ref, type: string): string | undefined => {
  const [t, id] = (ref?.reference ?? '').split('/');
  return t === type && id ? id : undefined;
};
const parse = (content: string | null | undefined): Json | undefined =>
  content ? (JSON.parse(content) as Json) : undefined;

/** MSH-10 of a resend: a new control id, so a receiver that drops repeats takes it (20 characters at most). */
const controlId = () =>
  `ZR${Date.now().toString(36).toUpperCase()}${randomBytes(4).toString('hex').toUpperCase()}`;

/** The message with MSH-10 replaced (MSH-1 is the field separator itself, so MSH-10 is the ninth after it). */
function withControlId(text: string, id: string): string {
  const [msh, ...rest] = text.split('\r');
  const sep = msh!.charAt(3);
  const fields = msh!.split(sep);
  fields[9] = id;
  return [fields.join(sep), ...rest].join('\r');
}

export interface ResendDeps {
  wake(): void;
  /** Notifications for these resources to every matching subscription, in `raw`'s transaction. */
  renotify(raw: ResourceStore, resources: { resourceType: string; id: string }[]): Promise<number>;
}

/**
 * `POST ServiceRequest/[id]/$resend` ("herzenden berichten"): the referral's last HL7 v2
 * message of each type (ORU^R01, SRM^S01, SRM^S04) queued again through the outbox, each as a
 * new message (a new MSH-10, the same content), and the referral's ServiceRequest and Task
 * notified again to every Subscription that matches them (judged at delivery, as always). Only
 * for a practitioner holding the active admin function `admin-resend` at the receiving
 * organisation, covering the offering's cluster (the performer HealthcareService's `cluster`);
 * everyone else is refused (403) naming the function, before anything of the referral is told.
 * An admin function reads no patient data, so the referral is read by the server; the
 * messages' patients get the resend in their access log.
 */
export function resend(deps: ResendDeps) {
  return async (ctx: RestContext, id: string): Promise<FhirResult> => {
    const lang = ctx.language;
    const scope = await functionScope(ctx, 'admin-resend');
    const denied = (): never =>
      refuse(lang, 403, 'forbidden', {
        en: `Resending needs the active admin function 'admin-resend' (${FUNCTION_SYSTEM}) at the receiving organisation of ServiceRequest/${id}, for the offering's cluster`,
        nl: `Herzenden vraagt de actieve beheerfunctie 'admin-resend' (${FUNCTION_SYSTEM}) bij de ontvangende organisatie van ServiceRequest/${id}, voor het cluster van het zorgproduct`,
      });
    if (scope.size === 0) denied();
    const result = await ctx.store.transaction(async (_store, raw) => {
      const request = parse((await raw.read('ServiceRequest', id))?.content);
      if (!request) denied();
      // The receiving organisation and the offering's cluster, from the performers.
      let organization: string | undefined;
      let cluster: string | undefined;
      for (const performer of (request!.performer ?? []) as Ref[]) {
        const serviceId = idOf(performer, 'HealthcareService');
        if (serviceId) {
          const service = parse((await raw.read('HealthcareService', serviceId))?.content);
          organization ??= idOf(service?.providedBy as Ref, 'Organization');
          cluster ??= idOf(
            ((service?.extension ?? []) as { url?: string; valueReference?: Ref }[]).find(
              (e) => e.url === CLUSTER_EXTENSION,
            )?.valueReference,
            'Organization',
          );
        }
        organization ??= idOf(performer, 'Organization');
      }
      if (!organization || !covers(scope, organization, cluster)) denied();
      const by = principalLabel(ctx.principal);
      const resource = `ServiceRequest/${id}`;
      const logged = await raw.hl7.search({ direction: 'out', resource, count: 200 });
      const newest = new Map<string, (typeof logged)[number]>();
      for (const m of logged) if (!newest.has(m.messageType)) newest.set(m.messageType, m);
      const queued: { id: string; type: string; resources: string[] }[] = [];
      for (const m of newest.values()) {
        if (m.status === 'queued') continue; // still on its way: sending it twice helps nobody
        const full = await raw.hl7.get(m.id);
        if (!full || !m.destination) continue;
        const { text, charset } = decodeMessage(full.raw);
        const fresh = controlId();
        const copy = await raw.hl7Outbox.enqueue({
          destination: m.destination,
          sender: m.sender,
          controlId: fresh,
          messageType: m.messageType,
          raw: encodeMessage(withControlId(text, fresh), charset),
          resources: m.resources,
          requestedBy: by,
        });
        queued.push({ id: copy, type: m.messageType, resources: m.resources });
      }
      const tasks = await raw.search.page({
        types: [
          {
            resourceType: 'Task',
            condition: ctx.search.criteria('Task', `focus=${encodeURIComponent(resource)}`, '').condition,
          },
        ],
        sort: [],
        limit: 50,
      });
      const notified = await deps.renotify(raw, [
        { resourceType: 'ServiceRequest', id },
        ...tasks.map((t) => ({ resourceType: 'Task', id: t.id })),
      ]);
      return { queued, notified };
    });
    if (result.queued.length) deps.wake();
    const patients = [...new Set(result.queued.flatMap((q) => q.resources))].filter((r) =>
      r.startsWith('Patient/'),
    );
    ctx.audit?.record({
      interaction: '$resend',
      resourceType: 'ServiceRequest',
      id,
      status: 200,
      resources: patients.map((r) => ({ resourceType: 'Patient', id: r.slice(8) }) as Resource),
    });
    return {
      status: 200,
      headers: {},
      resource: {
        resourceType: 'Parameters',
        parameter: [
          ...result.queued.map((q) => ({
            name: 'message',
            part: [
              { name: 'id', valueString: q.id },
              { name: 'type', valueString: q.type },
              { name: 'status', valueCode: 'queued' },
            ],
          })),
          { name: 'notifications', valueInteger: result.notified },
        ],
      } as Resource,
    };
  };
}
