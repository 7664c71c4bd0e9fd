import type { Route } from '../../fhir/rest/routes.ts';
import type { Mailer } from '../../jobs/mail.ts';
import { catalogueRoutes } from './catalogue-routes.ts';
import { refer, type ReferDeps } from './refer.ts';
import { referralStatus } from './referral-status.ts';
import { resend, type ResendDeps } from './resend.ts';
import { sendHl7 } from './send-hl7.ts';
import { withdrawAppointment } from './withdraw-appointment.ts';

export interface ReferralDeps extends ReferDeps {
  mailer: Mailer;
  renotify: ResendDeps['renotify'];
}

/** The referrals' operations (seed 003), each with its OperationDefinition in profiles/operations/. */
export function referralRoutes(deps: ReferralDeps): Route[] {
  const send = sendHl7(deps);
  const referral = refer(deps);
  const status = referralStatus({
    mailer: deps.mailer,
    withdrawAppointment: withdrawAppointment(send),
  });
  const again = resend({ wake: () => deps.outbox.wake(), renotify: deps.renotify });
  return [
    ...catalogueRoutes(),
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
      pattern: ['type', 'id', '$refer'],
      types: ['HealthcareService'],
      interaction: '$refer',
      level: 'instance',
      definition: 'https://zorgpoort.nl/fhir/OperationDefinition/HealthcareService-refer',
      handle: (ctx, req, m) => referral(ctx, m.id, req),
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
