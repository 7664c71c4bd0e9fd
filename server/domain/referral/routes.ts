import { FhirError } from '../../fhir/errors.ts';
import type { Route } from '../../fhir/rest/routes.ts';
import type { Mailer } from '../../jobs/mail.ts';
import { referralStatus } from './referral-status.ts';
import { resend, type ResendDeps } from './resend.ts';
import { sendHl7, type SendHl7Deps } from './send-hl7.ts';

export interface ReferralDeps extends SendHl7Deps {
  mailer: Mailer;
  renotify: ResendDeps['renotify'];
}

/** The referrals' operations (seed 003), each with its OperationDefinition in profiles/operations/. */
export function referralRoutes(deps: ReferralDeps): Route[] {
  const send = sendHl7(deps);
  const status = referralStatus({
    mailer: deps.mailer,
    // A cancelled referral whose appointment request (SRM^S01) went out is withdrawn (SRM^S04),
    // as the referrer, once the cancel has committed. Nothing asked, nothing to withdraw.
    withdrawAppointment: async (ctx, serviceRequestId, req) => {
      const resource = `ServiceRequest/${serviceRequestId}`;
      const [asked, withdrawn] = await ctx.store.transaction((_s, raw) =>
        Promise.all([
          raw.hl7.search({ direction: 'out', resource, messageType: 'SRM^S01', count: 1 }),
          raw.hl7.search({ direction: 'out', resource, messageType: 'SRM^S04', count: 1 }),
        ]),
      );
      const last = asked.find((m) => m.status === 'sent' || m.status === 'queued');
      if (!last || (withdrawn[0] && Number(withdrawn[0].id) > Number(last.id))) return undefined;
      try {
        const body = {
          resourceType: 'Parameters',
          parameter: [
            { name: 'message', valueCode: 'SRM^S04' },
            { name: 'reason', valueString: 'Verwijzing ingetrokken / referral cancelled' },
          ],
        };
        const sent = await send(ctx, serviceRequestId, { ...req, body });
        return sent.resource;
      } catch (err) {
        // The cancel stands; the withdrawal's refusal (no destination any more) is the answer's warning.
        if (err instanceof FhirError) return err.message;
        throw err;
      }
    },
  });
  const again = resend({ wake: () => deps.outbox.wake(), renotify: deps.renotify });
  return [
    {
      method: 'POST',
      pattern: ['type', 'id', '$send-hl7'],
      types: ['ServiceRequest'],
      interaction: '$send-hl7',
      level: 'instance',
      definition: 'https://zorgpoort.nl/fhir/OperationDefinition/ServiceRequest-send-hl7',
      handle: (ctx, req, m) => send(ctx, m.id, req),
    },
    {
      method: 'POST',
      pattern: ['type', 'id', '$referral-status'],
      types: ['Task'],
      interaction: '$referral-status',
      level: 'instance',
      definition: 'https://zorgpoort.nl/fhir/OperationDefinition/Task-referral-status',
      handle: (ctx, req, m) => status(ctx, m.id, req),
    },
    {
      method: 'POST',
      pattern: ['type', 'id', '$resend'],
      types: ['ServiceRequest'],
      interaction: '$resend',
      level: 'instance',
      definition: 'https://zorgpoort.nl/fhir/OperationDefinition/ServiceRequest-resend',
      handle: (ctx, _req, m) => again(ctx, m.id),
    },
  ];
}
