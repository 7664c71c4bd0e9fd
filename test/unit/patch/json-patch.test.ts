import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { FhirError } from '../../../server/fhir/errors.ts';
import { applyJsonPatch } from '../../../server/fhir/patch/index.ts';

interface JsonPatchCase {
  comment: string;
  doc: Record<string, unknown>;
  patch: unknown;
  expected?: Record<string, unknown>;
  error?: string;
}

const cases = JSON.parse(
  readFileSync(new URL('../../fixtures/patch/json-patch-tests.json', import.meta.url), 'utf8'),
) as JsonPatchCase[];

function statusOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(FhirError);
    return (err as FhirError).status;
  }
  throw new Error('expected a FhirError');
}

describe('applyJsonPatch', () => {
  describe('fixture cases (json-patch-tests.json)', () => {
    it('has all 16 cases', () => expect(cases).to.have.length(16));

    for (const testCase of cases) {
      it(testCase.comment, () => {
        const before = structuredClone(testCase.doc);
        if (testCase.error !== undefined) {
          expect(statusOf(() => applyJsonPatch(testCase.doc, testCase.patch))).to.equal(422);
        } else {
          expect(applyJsonPatch(testCase.doc, testCase.patch)).to.deep.equal(testCase.expected);
        }
        expect(testCase.doc).to.deep.equal(before);
      });
    }
  });

  const patient = { resourceType: 'Patient', id: 'p1', name: [{ family: 'Jansen', given: ['Piet'] }] };

  it('never mutates the input resource', () => {
    const input = structuredClone(patient);
    const result = applyJsonPatch(input, [
      { op: 'replace', path: '/name/0/family', value: 'de Vries' },
      { op: 'add', path: '/name/0/given/-', value: 'Klaas' },
      { op: 'remove', path: '/id' },
    ]);
    expect(input).to.deep.equal(patient);
    expect(result).to.deep.equal({
      resourceType: 'Patient',
      name: [{ family: 'de Vries', given: ['Piet', 'Klaas'] }],
    });
  });

  it('does not share nested objects between input and result', () => {
    const input = structuredClone(patient);
    const result = applyJsonPatch(input, []);
    (result.name as { family: string }[])[0]!.family = 'changed';
    expect(input).to.deep.equal(patient);
  });

  it('rejects a failing test op with 422 and leaves the input alone', () => {
    const input = structuredClone(patient);
    let caught: unknown;
    try {
      applyJsonPatch(input, [
        { op: 'replace', path: '/name/0/family', value: 'de Vries' },
        { op: 'test', path: '/id', value: 'other' },
      ]);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(FhirError);
    expect((caught as FhirError).status).to.equal(422);
    expect((caught as FhirError).issues[0]?.code).to.equal('processing');
    expect(input).to.deep.equal(patient);
  });

  it('rejects paths that do not resolve with 422', () => {
    expect(statusOf(() => applyJsonPatch(patient, [{ op: 'remove', path: '/telecom' }]))).to.equal(422);
    expect(
      statusOf(() => applyJsonPatch(patient, [{ op: 'replace', path: '/name/3/family', value: 'x' }])),
    ).to.equal(422);
    expect(statusOf(() => applyJsonPatch(patient, [{ op: 'move', from: '/nope', path: '/x' }]))).to.equal(
      422,
    );
    expect(statusOf(() => applyJsonPatch(patient, [{ op: 'add', path: '/name/7', value: {} }]))).to.equal(
      422,
    );
  });

  describe('malformed patch documents are a 400 with code invalid', () => {
    const malformed: [string, unknown][] = [
      ['not an array', { op: 'add', path: '/x', value: 1 }],
      ['null', null],
      ['an operation that is not an object', ['add']],
      ['an unknown op', [{ op: 'frobnicate', path: '/x' }]],
      ['a path without a leading slash', [{ op: 'add', path: 'x', value: 1 }]],
      ['a missing path', [{ op: 'remove' }]],
      ['move without from', [{ op: 'move', path: '/x' }]],
      ['add without value', [{ op: 'add', path: '/x' }]],
    ];
    for (const [label, doc] of malformed) {
      it(label, () => {
        try {
          applyJsonPatch(patient, doc);
          expect.fail('expected a FhirError');
        } catch (err) {
          expect(err).to.be.instanceOf(FhirError);
          expect((err as FhirError).status).to.equal(400);
          expect((err as FhirError).issues[0]?.code).to.equal('invalid');
        }
      });
    }
  });

  it('keeps the resource document in error messages out of the diagnostics', () => {
    try {
      applyJsonPatch(patient, [{ op: 'test', path: '/id', value: 'other' }]);
      expect.fail('expected a FhirError');
    } catch (err) {
      expect((err as FhirError).message).not.to.contain('Jansen');
    }
  });
});
