import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { FhirError } from '../../../server/fhir/errors.ts';
import { mergedIdentifiers } from '../../../server/domain/merge/merge-identifiers.ts';
import { readMergeInput } from '../../../server/domain/merge/merge-input.ts';
import { repointed } from '../../../server/domain/merge/repoint.ts';

const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const PI = 'https://zorgpoort.nl/fhir/NamingSystem/patient-number/ZKH';

describe('Patient/$merge: the pure parts', () => {
  it("the survivor keeps its numbers, gets the retired record's as old, and the BSN as it is", () => {
    const ids = mergedIdentifiers(
      [{ system: PI, value: '2' }],
      [
        { system: PI, value: '0', use: 'old' },
        { system: PI, value: '2' },
      ],
      [
        { system: PI, value: '1' },
        { system: BSN, value: '999911120' },
      ],
      '2026-12-07T10:15:00Z',
    );
    expect(ids).to.deep.equal([
      { system: PI, value: '2' },
      { system: PI, value: '0', use: 'old' },
      { system: PI, value: '1', use: 'old', period: { end: '2026-12-07T10:15:00Z' } },
      { system: BSN, value: '999911120' },
    ]);
    // The same BSN on both is one.
    expect(
      mergedIdentifiers([{ system: BSN, value: '999911120' }], [], [{ system: BSN, value: '999911120' }]),
    ).to.have.length(1);
  });

  it('two different BSNs are two people: refused', () => {
    expect(() =>
      mergedIdentifiers([{ system: BSN, value: '999911120' }], [], [{ system: BSN, value: '999999990' }]),
    ).to.throw(FhirError, /different BSNs/);
  });

  it("repoints this server's references to the patient only", () => {
    const obs = {
      resourceType: 'Observation',
      subject: { reference: 'Patient/a' },
      performer: [
        { reference: 'http://x/fhir/Patient/a/_history/3' },
        { reference: 'http://other/Patient/a' },
      ],
      focus: [{ reference: 'Patient/ab' }],
    };
    expect(repointed(obs, 'Patient/a', 'Patient/b', 'http://x/fhir')).to.deep.equal({
      ...obs,
      subject: { reference: 'Patient/b' },
      performer: [{ reference: 'Patient/b' }, { reference: 'http://other/Patient/a' }],
    });
    expect(repointed(obs, 'Patient/c', 'Patient/b', 'http://x/fhir')).to.equal(undefined);
  });

  it('reads its parameters, refusing what it does not know', () => {
    const input = readMergeInput({
      resourceType: 'Parameters',
      parameter: [
        { name: 'source-patient', valueReference: { reference: 'Patient/a' } },
        { name: 'target-patient-identifier', valueIdentifier: { system: PI, value: '2' } },
        { name: 'preview', valueBoolean: true },
      ],
    });
    expect(input).to.deep.equal({
      source: { name: 'source-patient', id: 'a', identifiers: [] },
      target: { name: 'target-patient', identifiers: [{ system: PI, value: '2' }] },
      preview: true,
    });
    const refused = (parameter: unknown[]) => () => readMergeInput({ resourceType: 'Parameters', parameter });
    expect(refused([{ name: 'target-patient', valueReference: { reference: 'Patient/b' } }])).to.throw(
      /source-patient/,
    );
    expect(
      refused([
        { name: 'source-patient', valueReference: { reference: 'Patient/a' } },
        { name: 'target-patient', valueReference: { reference: 'Patient/b' } },
        { name: 'delete-source', valueBoolean: true },
      ]),
    ).to.throw(/delete-source/);
    expect(() => readMergeInput({ resourceType: 'Patient' })).to.throw(/Parameters/);
  });

  it('has its OperationDefinition (type level, Patient, changes state)', () => {
    const d = JSON.parse(
      readFileSync(new URL('../../../profiles/operations/Patient-merge.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    expect(d).to.include({
      url: 'https://zorgpoort.nl/fhir/OperationDefinition/Patient-merge',
      code: 'merge',
      type: true,
      instance: false,
      affectsState: true,
    });
    expect(d.resource).to.deep.equal(['Patient']);
  });
});
