/** Stored FHIR JSON as the portal's rules read it: many shapes, each field read defensively. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;
