import type { UziCard } from './uzi/uzi-card.ts';

/** How the caller proved who they are. */
export type Via =
  | 'uzi-certificate'
  | 'saml'
  | 'smart'
  | 'smart-backend'
  | 'conformance-token'
  | 'dev-login'
  /** E-mail and password with a one-time code (server/auth/password). */
  | 'password'
  /** The operator's command line (npm run audit, …), on the server's own machine. */
  | 'operator'
  /** An HL7 v2 message received over MLLP, applied as its sender's registered client. */
  | 'hl7-mllp'
  /** The link of an invitation to functions (server/domain/referral): the person it makes. */
  | 'invitation';

/** One PractitionerRole of a practitioner: where and as what they work. */
export interface PractitionerRoleRef {
  practitionerRoleId: string;
  organizationId?: string;
  /** `system|code` of each PractitionerRole.code (UZI role codes such as 01.015, collective roles). */
  codes: string[];
}

/** What a SMART access token adds: which app, which scopes, which launch context. */
export interface SmartGrant {
  clientId: string;
  /** The granted scopes, space-separated as issued. */
  scope: string;
  /** The patient in context (`launch/patient`, an EHR launch, or the patient themself). */
  patientId?: string;
  encounterId?: string;
}

interface Authenticated {
  via: Via;
  /** Set when the caller came with a SMART token: its scopes narrow what the person may do. */
  smart?: SmartGrant;
}

export interface PractitionerPrincipal extends Authenticated {
  kind: 'practitioner';
  practitionerId: string;
  roles: PractitionerRoleRef[];
  /**
   * The organisation this login is for (the URA of a UZI-pas or SAML login): `roles` are then
   * only the roles held there, and the gate decides for that organisation.
   */
  organizationId?: string;
  /** The card of a UZI-certificate login. */
  card?: UziCard;
}

/** An online service of a GP practice's patient portal (seed 004), opened by a session code. */
export type PortalService = 'record' | 'prescriptions' | 'appointments' | 'econsult';

/**
 * A login through a patient portal account (server/domain/practice): a FHIR Person, registered
 * by e-mail and password or through DigiD.
 */
export interface PortalAccount {
  personId: string;
  /** The practice whose portal it is (Person.managingOrganization). */
  organizationId?: string;
  /** An e-mail account needs a session code per online service; a DigiD login does not. */
  needsSessionCode: boolean;
  /** The login session (the SMART grant) its session codes are bound to. */
  sessionId?: string;
  /** The services this login session opened with a session code. */
  openServices: PortalService[];
}

export interface PatientPrincipal extends Authenticated {
  kind: 'patient';
  /** Set when the login is a patient portal account's. */
  portal?: PortalAccount;
  patientId: string;
  /**
   * The person's other Patient records on this server, by their BSN (a referrer who could not
   * see the patient's record made one of their own, HealthcareService/$refer): the patient sees
   * those too, and writes only in `patientId`'s.
   */
  records?: string[];
  /** Conformance tokens only: may write outside the own compartment (the Nictiz load scripts). */
  writeAll?: boolean;
}

/**
 * A patient portal account not linked to a patient record yet (server/domain/practice): it logs
 * in and sees its own Person and the directory, nothing medical, until the practice links it.
 */
export interface AccountPrincipal extends Authenticated {
  kind: 'account';
  /** The same as `portal.personId`. */
  personId: string;
  portal: PortalAccount;
}

export interface RelatedPersonPrincipal extends Authenticated {
  kind: 'related-person';
  relatedPersonId: string;
  /** The patient this person is related to (RelatedPerson.patient). */
  patientId: string;
}

/** A registered system client (an EHR/HIS) acting for its organisation. */
export interface SystemPrincipal extends Authenticated {
  kind: 'system';
  clientId: string;
  organizationId?: string;
  /**
   * Registered as trusted with the whole server (`clients register --trusted`): not limited to
   * its organisation's patients. Off by default; meant for the network's own integration
   * engine, migrations and test loaders.
   */
  trusted?: boolean;
}

/**
 * Who is calling: one type for every caller. `anonymous` is a caller without credentials,
 * which only discovery and login endpoints answer.
 */
export type Principal =
  | { kind: 'anonymous' }
  | PractitionerPrincipal
  | PatientPrincipal
  | AccountPrincipal
  | RelatedPersonPrincipal
  | SystemPrincipal;

export type PersonPrincipal =
  PractitionerPrincipal | PatientPrincipal | AccountPrincipal | RelatedPersonPrincipal;

export const ANONYMOUS: Principal = { kind: 'anonymous' };

/**
 * The FHIR reference of the person behind a principal (SMART `fhirUser`, OAuth account id). A
 * login through a portal account's password is that account's (`Person/<id>`), so each token of it
 * is resolved through the account: linked or not, and which services its session opened.
 */
export function personReference(p: PersonPrincipal): string {
  switch (p.kind) {
    case 'practitioner':
      return `Practitioner/${p.practitionerId}`;
    case 'patient':
      return p.portal?.needsSessionCode ? `Person/${p.portal.personId}` : `Patient/${p.patientId}`;
    case 'account':
      return `Person/${p.personId}`;
    case 'related-person':
      return `RelatedPerson/${p.relatedPersonId}`;
  }
}

/** Who acted, for a log line or record: `Practitioner/<id>`, `client/<client id>`, or the kind of caller. */
export function principalLabel(p: Principal): string {
  switch (p.kind) {
    case 'system':
      return `client/${p.clientId}`;
    case 'anonymous':
      return 'anonymous';
    default:
      return personReference(p);
  }
}
