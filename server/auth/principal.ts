import type { UziCard } from './uzi/uzi-card.ts';

/**
 * Who is calling. For now a caller is anonymous (trusted, as before authentication exists), a
 * patient identified by a static conformance token, or a practitioner identified by a UZI
 * card; SAML and SMART logins will add to this.
 */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'patient'; patientId: string; via: 'conformance-token'; writeAll: boolean }
  | {
      kind: 'practitioner';
      /** The stored Practitioner this card's UZI number resolved to. */
      practitionerId: string;
      card: UziCard;
      via: 'uzi-certificate';
    };

export const ANONYMOUS: Principal = { kind: 'anonymous' };
