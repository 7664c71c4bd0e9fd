/** Codes and addresses of the GP practice's patient portal (seed 004). */

/** Our code system for practice roles without a UZI role code (the doktersassistent). */
export const PRACTICE_ROLE_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/practice-role';
export const UZI_ROLE_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/uzi-rolcode';

/**
 * The practice's staff, as `system|code` of PractitionerRole.code at the practice's Organization:
 * the GP (huisarts, UZI 01.015), the physician assistant (UZI 81.000) and the assistant.
 */
export const PRACTICE_STAFF = {
  gp: `${UZI_ROLE_SYSTEM}|01.015`,
  physicianAssistant: `${UZI_ROLE_SYSTEM}|81.000`,
  assistant: `${PRACTICE_ROLE_SYSTEM}|assistant`,
} as const;
export type PracticeStaffRole = keyof typeof PRACTICE_STAFF;

/**
 * The tag on a portal account's Person, set by the server only: how it was registered (`email`:
 * e-mail and password, linked later by the practice; `digid`: linked at once by BSN).
 */
export const PORTAL_ACCOUNT_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/portal-account';
export type Registration = 'email' | 'digid';

/** Person.link.assurance of a link the practice checked (BSN and e-mail) or DigiD proved. */
export const LINK_ASSURANCE = 'level3';
