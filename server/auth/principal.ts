/**
 * Who is calling. Authentication (SAML, UZI certificates, SMART) will add practitioners,
 * related persons and system clients; for now a caller is anonymous (trusted, as before
 * authentication exists) or a patient identified by a static conformance token.
 */
export type Principal =
  { kind: 'anonymous' } | { kind: 'patient'; patientId: string; via: 'conformance-token'; writeAll: boolean };

export const ANONYMOUS: Principal = { kind: 'anonymous' };
