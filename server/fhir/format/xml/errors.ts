import { FhirError } from '../../errors.ts';

export const FHIR_NS = 'http://hl7.org/fhir';
export const XHTML_NS = 'http://www.w3.org/1999/xhtml';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

export function xmlStructureError(message: string): FhirError {
  return new FhirError(400, message, { code: 'structure' });
}
