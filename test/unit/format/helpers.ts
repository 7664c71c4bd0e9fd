import { expect } from 'chai';
import { SaxesParser } from 'saxes';
import { FhirError } from '../../../server/fhir/errors.ts';

export const FHIR_NS = 'http://hl7.org/fhir';
export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

/** Asserts that `fn` throws a 400 FhirError with issue code `structure`; returns its message. */
export function expectStructureError(fn: () => unknown, message?: RegExp): string {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a FhirError').to.be.instanceOf(FhirError);
  const err = caught as FhirError;
  expect(err.status).to.equal(400);
  expect(err.issues[0]?.code).to.equal('structure');
  if (message) expect(err.message).to.match(message);
  return err.message;
}

/** Well-formedness check with a plain namespace-aware parser, independent of the FHIR reader. */
export function expectWellFormedFhirXml(xml: string): void {
  const parser = new SaxesParser({ xmlns: true });
  let rootUri: string | undefined;
  let doctype = false;
  parser.on('opentag', (tag) => {
    rootUri ??= tag.uri;
  });
  parser.on('doctype', () => {
    doctype = true;
  });
  parser.write(xml).close();
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).to.equal(true);
  expect(doctype).to.equal(false);
  expect(rootUri).to.equal(FHIR_NS);
}

/** Wraps resource content in a FHIR-namespaced root element. */
export function fhir(resourceType: string, content: string): string {
  return `<${resourceType} xmlns="${FHIR_NS}">${content}</${resourceType}>`;
}
