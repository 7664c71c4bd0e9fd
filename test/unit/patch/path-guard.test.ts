import { expect } from 'chai';
import { FhirError } from '../../../server/fhir/errors.ts';
import { applyFhirPathPatch } from '../../../server/fhir/patch/index.ts';
import { checkPatchPath } from '../../../server/fhir/patch/path-guard.ts';

const deleteAt = (path: string) => ({
  resourceType: 'Parameters',
  parameter: [
    {
      name: 'operation',
      part: [
        { name: 'type', valueCode: 'delete' },
        { name: 'path', valueString: path },
      ],
    },
  ],
});

describe('FHIRPath Patch path guard', () => {
  it('allows navigation, filters and cheap functions', () => {
    for (const path of [
      'Patient.name[0].given',
      "Patient.name.where(use = 'official').given.first()",
      "Patient.extension('http://example.org/x').value.ofType(string)",
      "Patient.identifier.where(system = 'http://fhir.nl/fhir/NamingSystem/bsn' and value.startsWith('99'))",
      "Patient.name.where(family = 'descendants()')", // function names inside literals do not count
      'Patient.text.div',
    ]) {
      expect(() => checkPatchPath(path), path).not.to.throw();
    }
  });

  it('refuses computation that can exhaust the server, with a 400 before evaluating anything', () => {
    const hostile =
      'Patient.descendants().select(%context.descendants()).select(%context.descendants()).where(false)';
    const patient = {
      resourceType: 'Patient',
      name: Array.from({ length: 40 }, () => ({ family: 'x', given: ['a', 'b'] })),
    };
    for (const path of [
      hostile,
      'Patient.descendants()',
      'Patient.name.repeat(given)',
      'Patient.name.where(%resource.name.exists())',
      `Patient${'.name'.repeat(300)}`,
      'Patient.name.select(given).aggregate($total)',
    ]) {
      let err: unknown;
      try {
        applyFhirPathPatch(patient, deleteAt(path));
      } catch (e) {
        err = e;
      }
      expect(err, path).to.be.instanceOf(FhirError);
      expect((err as FhirError).status, path).to.equal(400);
      expect((err as FhirError).issues[0]!.code).to.equal('not-supported');
    }
  });
});
