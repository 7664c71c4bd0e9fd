/** A FHIR element selected by a search parameter's expression, with its FHIR type when known. */
export interface ElementNode {
  type: string | undefined;
  value: unknown;
}
