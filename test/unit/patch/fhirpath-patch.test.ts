import { expect } from 'chai';
import { FhirError } from '../../../server/fhir/errors.ts';
import { applyFhirPathPatch } from '../../../server/fhir/patch/index.ts';

type Part = Record<string, unknown>;

const op = (type: string, path: string, ...parts: Part[]) => ({
  name: 'operation',
  part: [{ name: 'type', valueCode: type }, { name: 'path', valueString: path }, ...parts],
});
const patch = (...operations: unknown[]) => ({ resourceType: 'Parameters', parameter: operations });
const int = (name: string, value: number) => ({ name, valueInteger: value });
const named = (name: string) => ({ name: 'name', valueString: name });

const patient = () => ({
  resourceType: 'Patient',
  id: 'p1',
  birthDate: '1920-01-01',
  _birthDate: { id: 'bd' },
  name: [{ family: 'Jansen', given: ['Piet', 'Jan', 'Klaas'], _given: [null, { id: 'g1' }, null] }],
  deceasedBoolean: false,
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">old</div>' },
});

function failure(fn: () => unknown): FhirError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(FhirError);
    return err as FhirError;
  }
  throw new Error('expected a FhirError');
}

describe('applyFhirPathPatch', () => {
  it('never mutates the input resource', () => {
    const input = patient();
    const result = applyFhirPathPatch(
      input,
      patch(
        op('replace', 'Patient.name[0].family', { name: 'value', valueString: 'de Vries' }),
        op('delete', 'Patient.name[0].given[0]'),
        op('add', 'Patient.birthDate', named('extension'), {
          name: 'value',
          valueExtension: { url: 'http://example.org/x', valueString: 'y' },
        }),
      ),
    );
    expect(input).to.deep.equal(patient());
    expect(result.name).to.deep.equal([
      { family: 'de Vries', given: ['Jan', 'Klaas'], _given: [{ id: 'g1' }, null] },
    ]);
  });

  it('leaves the input untouched when a later operation fails', () => {
    const input = patient();
    failure(() =>
      applyFhirPathPatch(
        input,
        patch(
          op('delete', 'Patient.birthDate'),
          op('replace', 'Patient.gender', { name: 'value', valueCode: 'male' }),
        ),
      ),
    );
    expect(input).to.deep.equal(patient());
  });

  describe('primitive lists keep their _x extensions aligned', () => {
    it('on delete', () => {
      const result = applyFhirPathPatch(patient(), patch(op('delete', 'Patient.name[0].given[0]')));
      expect(result.name).to.deep.equal([
        { family: 'Jansen', given: ['Jan', 'Klaas'], _given: [{ id: 'g1' }, null] },
      ]);
    });

    it('drops _x once no item has extensions left', () => {
      const result = applyFhirPathPatch(patient(), patch(op('delete', 'Patient.name[0].given[1]')));
      expect(result.name).to.deep.equal([{ family: 'Jansen', given: ['Piet', 'Klaas'] }]);
    });

    it('on move', () => {
      const result = applyFhirPathPatch(
        patient(),
        patch(op('move', 'Patient.name[0].given', int('source', 1), int('destination', 2))),
      );
      expect(result.name).to.deep.equal([
        { family: 'Jansen', given: ['Piet', 'Klaas', 'Jan'], _given: [null, null, { id: 'g1' }] },
      ]);
    });

    it('on insert, including the inserted value its own extensions', () => {
      const result = applyFhirPathPatch(
        patient(),
        patch(
          op('insert', 'Patient.name[0].given', int('index', 0), {
            name: 'value',
            valueString: 'Henk',
            _valueString: { id: 'new' },
          }),
        ),
      );
      expect(result.name).to.deep.equal([
        {
          family: 'Jansen',
          given: ['Henk', 'Piet', 'Jan', 'Klaas'],
          _given: [{ id: 'new' }, null, { id: 'g1' }, null],
        },
      ]);
    });

    it('on add to a primitive list', () => {
      const result = applyFhirPathPatch(
        patient(),
        patch(op('add', 'Patient.name[0]', named('given'), { name: 'value', valueString: 'Kees' })),
      );
      expect(result.name).to.deep.equal([
        {
          family: 'Jansen',
          given: ['Piet', 'Jan', 'Klaas', 'Kees'],
          _given: [null, { id: 'g1' }, null, null],
        },
      ]);
    });
  });

  it('deletes a primitive together with its _x companion', () => {
    const result = applyFhirPathPatch(patient(), patch(op('delete', 'Patient.birthDate')));
    expect(result).not.to.have.any.keys('birthDate', '_birthDate');
  });

  it('addresses children of a primitive (id, extension) in its _x companion', () => {
    const result = applyFhirPathPatch(
      patient(),
      patch(
        op('delete', 'Patient.birthDate.id'),
        op('add', 'Patient.name[0].given[2]', named('extension'), {
          name: 'value',
          valueExtension: { url: 'http://example.org/x', valueCode: 'a' },
        }),
      ),
    );
    expect(result).not.to.have.key('_birthDate');
    expect((result.name as Part[])[0]!._given).to.deep.equal([
      null,
      { id: 'g1' },
      { extension: [{ url: 'http://example.org/x', valueCode: 'a' }] },
    ]);
  });

  it('replaces a choice element with a value of another type', () => {
    const result = applyFhirPathPatch(
      patient(),
      patch(op('replace', 'Patient.deceased', { name: 'value', valueDateTime: '2020-02-02' })),
    );
    expect(result).to.include({ deceasedDateTime: '2020-02-02' });
    expect(result).not.to.have.key('deceasedBoolean');
  });

  it('adds a choice element under its typed name', () => {
    const input = { resourceType: 'Patient', id: 'p1' };
    const result = applyFhirPathPatch(
      input,
      patch(op('add', 'Patient', named('multipleBirth'), { name: 'value', valueInteger: 2 })),
    );
    expect(result).to.deep.equal({ resourceType: 'Patient', id: 'p1', multipleBirthInteger: 2 });
  });

  it('accepts paths through Narrative.div (a FHIRPath operator word)', () => {
    const div = '<div xmlns="http://www.w3.org/1999/xhtml">new</div>';
    const result = applyFhirPathPatch(
      patient(),
      patch(op('replace', 'Patient.text.div', { name: 'value', valueString: div })),
    );
    expect(result.text).to.deep.equal({ status: 'generated', div });
  });

  it('builds anonymous (backbone) values from nested parts, as lists where the element repeats', () => {
    const result = applyFhirPathPatch(
      { resourceType: 'Patient' },
      patch(
        op('add', 'Patient', named('contact'), {
          name: 'value',
          part: [
            { name: 'telecom', valueContactPoint: { system: 'phone', value: '0123' } },
            { name: 'gender', valueCode: 'female' },
          ],
        }),
      ),
    );
    expect(result.contact).to.deep.equal([
      { telecom: [{ system: 'phone', value: '0123' }], gender: 'female' },
    ]);
  });

  it('inserts into a list that does not exist yet', () => {
    const result = applyFhirPathPatch(
      { resourceType: 'Patient' },
      patch(
        op('insert', 'Patient.identifier', int('index', 0), {
          name: 'value',
          valueIdentifier: { value: '1' },
        }),
      ),
    );
    expect(result.identifier).to.deep.equal([{ value: '1' }]);
  });

  it('treats delete of an absent element as a no-op', () => {
    expect(applyFhirPathPatch(patient(), patch(op('delete', 'Patient.gender')))).to.deep.equal(patient());
  });

  describe('patches that cannot be applied are a 422 with code processing', () => {
    const cases: [string, unknown][] = [
      ['replace with no match', patch(op('replace', 'Patient.gender', { name: 'value', valueCode: 'male' }))],
      [
        'replace with several matches',
        patch(op('replace', 'Patient.name.given', { name: 'value', valueString: 'x' })),
      ],
      ['delete with several matches', patch(op('delete', 'Patient.name.given'))],
      ['delete of the resource itself', patch(op('delete', 'Patient'))],
      [
        'add to a missing element',
        patch(op('add', 'Patient.contact', named('gender'), { name: 'value', valueCode: 'male' })),
      ],
      [
        'add of an existing single element',
        patch(op('add', 'Patient', named('birthDate'), { name: 'value', valueDate: '2000' })),
      ],
      [
        'add of an unknown element',
        patch(op('add', 'Patient', named('shoeSize'), { name: 'value', valueInteger: 44 })),
      ],
      [
        'a complex value for a primitive',
        patch(op('replace', 'Patient.birthDate', { name: 'value', valueHumanName: { text: 'x' } })),
      ],
      [
        'insert beyond the end of the list',
        patch(op('insert', 'Patient.name[0].given', int('index', 4), { name: 'value', valueString: 'x' })),
      ],
      [
        'insert into a single element',
        patch(op('insert', 'Patient.birthDate', int('index', 0), { name: 'value', valueDate: '2000' })),
      ],
      [
        'move outside the list',
        patch(op('move', 'Patient.name[0].given', int('source', 3), int('destination', 0))),
      ],
      ['a path that selects no element of the resource', patch(op('delete', "'Patient'"))],
      ['a path that fails to evaluate', patch(op('delete', 'Patient.name.given.single()'))],
    ];
    for (const [label, doc] of cases) {
      it(label, () => {
        const err = failure(() => applyFhirPathPatch(patient(), doc));
        expect(err.status, err.message).to.equal(422);
        expect(err.issues[0]?.code).to.equal('processing');
      });
    }
  });

  describe('malformed patch documents are a 400 with code invalid', () => {
    const cases: [string, unknown][] = [
      ['not an object', 'add'],
      ['not a Parameters resource', { resourceType: 'Patient' }],
      ['parameter that is not a list', { resourceType: 'Parameters', parameter: {} }],
      [
        'a parameter not named operation',
        { resourceType: 'Parameters', parameter: [{ name: 'op', part: [] }] },
      ],
      ['an operation without parts', patch({ name: 'operation' })],
      ['an unknown operation type', patch(op('upsert', 'Patient'))],
      ['a missing type', patch({ name: 'operation', part: [{ name: 'path', valueString: 'Patient' }] })],
      ['a missing path', patch({ name: 'operation', part: [{ name: 'type', valueCode: 'delete' }] })],
      ['add without name', patch(op('add', 'Patient', { name: 'value', valueString: 'x' }))],
      ['add without value', patch(op('add', 'Patient', named('gender')))],
      [
        'insert without index',
        patch(op('insert', 'Patient.identifier', { name: 'value', valueString: 'x' })),
      ],
      ['move without destination', patch(op('move', 'Patient.identifier', int('source', 0)))],
      [
        'a negative index',
        patch(op('insert', 'Patient.identifier', int('index', -1), { name: 'value', valueString: 'x' })),
      ],
      ['a part that does not belong to the type', patch(op('delete', 'Patient.gender', int('index', 0)))],
      ['an unknown part', patch(op('delete', 'Patient.gender', { name: 'frobnicate', valueString: 'x' }))],
      [
        'a duplicated part',
        patch(op('delete', 'Patient.gender', { name: 'path', valueString: 'Patient.id' })),
      ],
      [
        'a value with two value[x]',
        patch(op('replace', 'Patient.id', { name: 'value', valueString: 'a', valueId: 'b' })),
      ],
      ['a value with no value[x]', patch(op('replace', 'Patient.id', { name: 'value' }))],
      [
        'a value with both value[x] and parts',
        patch(op('replace', 'Patient.id', { name: 'value', valueString: 'a', part: [] })),
      ],
      ['a FHIRPath syntax error', patch(op('delete', 'Patient.name.where('))],
      [
        'an add whose name is not an element name',
        patch(op('add', 'Patient', named('__proto__'), { name: 'value', valueString: 'x' })),
      ],
      [
        'a nested part whose name is not an element name',
        patch(
          op('add', 'Patient', named('contact'), { name: 'value', part: [{ name: 'a.b', valueCode: 'x' }] }),
        ),
      ],
    ];
    for (const [label, doc] of cases) {
      it(label, () => {
        const err = failure(() => applyFhirPathPatch(patient(), doc));
        expect(err.status, err.message).to.equal(400);
        expect(err.issues[0]?.code).to.equal('invalid');
      });
    }
  });
});
