import type { Principal, SystemPrincipal } from '../../auth/principal.ts';
import type { AccessPolicy } from '../../access/policy.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import type { ReferralParties } from './parties.ts';

type Json = Record<string, unknown>;

/**
 * A referral is sent on by its own side: the referring practitioner, or a login or system of
 * the referring organisation (or a trusted integration). Anyone else who may change the
 * ServiceRequest (the patient, the receiving side) may not: the message speaks as the referrer
 * (MSH-4, ORC-12, ORC-21).
 */
export function assertReferrerSide(ctx: RestContext, id: string, parties: ReferralParties): void {
  const p = ctx.principal;
  const organization = parties.requesterOrganization?.id as string | undefined;
  const ok =
    (p.kind === 'system' &&
      (p.trusted === true || (organization !== undefined && p.organizationId === organization))) ||
    (p.kind === 'practitioner' &&
      (parties.requester?.id === p.practitionerId ||
        (organization !== undefined && p.organizationId === organization)));
  if (!ok) {
    refuse(ctx.language, 403, 'forbidden', {
      en: `Only the referrer of ServiceRequest/${id} or their organisation sends it on`,
      nl: `Alleen de verwijzer van ServiceRequest/${id} of diens organisatie verstuurt de verwijzing`,
    });
  }
}

/** The receiving organisation as the gate sees it: a system of that organisation, nothing more. */
export const receiverPrincipal = (organizationId: string, agb: string): SystemPrincipal => ({
  kind: 'system',
  via: 'hl7-mllp',
  clientId: `hl7-destination/${agb}`,
  organizationId,
});

/**
 * What leaves must be what the receiver may see: its treatment relationship (the open referral
 * itself names it) and the patient's consent, judged by the gate as for the receiver's own
 * request. A deny, or data of another organisation without the patient's permit, stops it here.
 */
export function assertReceiverMaySee(
  ctx: RestContext,
  receiver: AccessPolicy,
  name: string,
  resources: Json[],
): void {
  const hidden = resources.filter((r) => !receiver.canSee(r as Resource));
  if (!hidden.length) return;
  const list = hidden.map((r) => `${r.resourceType as string}/${r.id as string}`).join(', ');
  refuse(ctx.language, 403, 'forbidden', {
    en: `${name} may not receive ${list}: no treatment relationship, or the patient's consent does not allow it (a permit for ${name} is needed for data held by another organisation)`,
    nl: `${name} mag ${list} niet ontvangen: geen behandelrelatie, of de toestemming van de patiënt staat het niet toe (voor gegevens van een andere organisatie is toestemming voor ${name} nodig)`,
  });
}

export type { Principal };
