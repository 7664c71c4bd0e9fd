import { expect } from 'chai';
import { pointerToFhirPath } from '../../../server/fhir/validation/fhirpath.ts';

describe('validation: JSON Pointer to FHIRPath', () => {
  it('uses the base path for the root', () => {
    expect(pointerToFhirPath('Patient', '')).to.equal('Patient');
  });

  it('turns numeric segments into indexes', () => {
    expect(pointerToFhirPath('Patient', '/name/0/given/1')).to.equal('Patient.name[0].given[1]');
  });

  it('addresses _element extensions by the element name', () => {
    expect(pointerToFhirPath('Patient', '/_given/1/extension/0')).to.equal('Patient.given[1].extension[0]');
  });

  it('appends to a nested resource path and unescapes ~0 and ~1', () => {
    expect(pointerToFhirPath('Bundle.entry[0].resource', '/a~1b/c~0d')).to.equal(
      'Bundle.entry[0].resource.a/b.c~d',
    );
  });
});
