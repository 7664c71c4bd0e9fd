import { expect } from 'chai';
import { isKnownResourceType, validateId } from '../../../server/fhir/validation/index.ts';
import { expectSingleIssue, minimalObservation, validate } from './helpers.ts';

const UUID = 'urn:uuid:6f4c1b2e-3d5a-4e7f-8a9b-0c1d2e3f4a5b';

function patientReferencing(reference: string): Record<string, unknown> {
  return {
    resourceType: 'Patient',
    contained: [{ resourceType: 'Practitioner', id: 'gp' }],
    generalPractitioner: [{ reference }],
  };
}

describe('validation: resourceType', () => {
  it('reports an unknown resourceType as a single issue', () => {
    const issue = expectSingleIssue(
      validate({ resourceType: 'Foo', bar: 1 }),
      'value',
      'Resource.resourceType',
    );
    expect(issue.diagnostics).to.equal("Unknown resourceType 'Foo'");
  });

  it('reports a missing or non-string resourceType', () => {
    expectSingleIssue(validate({ id: '1' }), 'required', 'Resource.resourceType');
    expectSingleIssue(validate({ resourceType: 7 }), 'structure', 'Resource.resourceType');
    expectSingleIssue(validate({}, 'Patient'), 'required', 'Patient.resourceType');
  });

  it('rejects anything but a JSON object', () => {
    for (const value of [null, [], 'Patient', 42])
      expectSingleIssue(validate(value), 'structure', 'Resource');
  });

  it('reports a resourceType that differs from the expected one as a single issue', () => {
    const issue = expectSingleIssue(
      validate({ resourceType: 'Observation' }, 'Patient'),
      'invalid',
      'Observation.resourceType',
    );
    expect(issue.diagnostics).to.equal("Expected a Patient resource but resourceType is 'Observation'");
    expectSingleIssue(validate({ resourceType: 'Foo' }, 'Patient'), 'value', 'Patient.resourceType');
  });

  it('checks nested resources', () => {
    const patient = { resourceType: 'Patient', contained: [{ resourceType: 'Foo', id: 'x' }] };
    expectSingleIssue(validate(patient), 'value', 'Patient.contained[0].resourceType');
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: {} }, { resource: 'x' }],
    };
    const issues = validate(bundle);
    expect(issues).to.have.length(2);
    expect(issues.map((i) => [i.code, i.expression?.[0]])).to.have.deep.members([
      ['required', 'Bundle.entry[0].resource.resourceType'],
      ['structure', 'Bundle.entry[1].resource'],
    ]);
  });

  it('reports a nested resource of the wrong JSON shape once', () => {
    const patient = { resourceType: 'Patient', contained: { resourceType: 'Practitioner' } };
    const issue = expectSingleIssue(validate(patient), 'structure', 'Patient.contained');
    expect(issue.diagnostics).to.equal('Expected an array but found object');
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: [] }] };
    expectSingleIssue(validate(bundle), 'structure', 'Bundle.entry[0].resource');
  });

  it('exposes the list of resource types', () => {
    expect(isKnownResourceType('Patient')).to.equal(true);
    expect(isKnownResourceType('Foo')).to.equal(false);
    expect(isKnownResourceType('HumanName')).to.equal(false);
  });
});

describe('validation: ids', () => {
  it('validateId accepts 1-64 characters of [A-Za-z0-9-.]', () => {
    for (const id of ['a', 'example-1.2', 'ABC', '123', 'x'.repeat(64)])
      expect(validateId(id), id).to.equal(true);
    for (const id of ['', 'a b', 'a_b', 'a/b', 'é', 'x'.repeat(65), ' a'])
      expect(validateId(id), id).to.equal(false);
  });

  it('reports an id with a space once', () => {
    const issue = expectSingleIssue(validate({ resourceType: 'Patient', id: 'a b' }), 'value', 'Patient.id');
    expect(issue.diagnostics).to.match(/^Invalid resource id "a b"/);
  });

  it('reports an id of 65 characters', () => {
    expectSingleIssue(validate({ resourceType: 'Patient', id: 'x'.repeat(65) }), 'value', 'Patient.id');
    expect(validate({ resourceType: 'Patient', id: 'x'.repeat(64) })).to.deep.equal([]);
  });

  it('reports a non-string id', () => {
    expectSingleIssue(validate({ resourceType: 'Patient', id: 12 }), 'structure', 'Patient.id');
  });

  it('checks the ids of contained and bundled resources', () => {
    const patient = { resourceType: 'Patient', contained: [{ resourceType: 'Practitioner', id: 'dr #1' }] };
    expectSingleIssue(validate(patient), 'value', 'Patient.contained[0].id');
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: { resourceType: 'Patient', id: 'a/b' } }],
    };
    expectSingleIssue(validate(bundle), 'value', 'Bundle.entry[0].resource.id');
  });
});

describe('validation: references', () => {
  const valid = [
    'Patient/123',
    'Practitioner/a-b.c',
    'Patient/123/_history/2',
    'http://example.org/fhir/Patient/1',
    'https://example.org/fhir/Practitioner/1/_history/3',
    'http://www.example.com/prescriptions/12345',
    UUID,
    'urn:oid:2.16.840.1.113883.2.4.6.3',
    '#gp',
    'Practitioner?identifier=http://fhir.nl/fhir/NamingSystem/uzi-nr-pers|123',
  ];
  for (const reference of valid) {
    it(`accepts ${reference}`, () => {
      expect(validate(patientReferencing(reference))).to.deep.equal([]);
    });
  }

  const invalid: [string, RegExp][] = [
    ['Patient/', /has no resource id/],
    ['Patient/a b', /Invalid resource id "a b"/],
    ['Foo/1', /Unknown resource type 'Foo'/],
    ['#missing', /'#missing' does not match the id of any contained resource/],
    ['#', /only allowed inside a contained resource/],
    ['Patient', /expected Type\/id/],
    ['Patient/1/2', /expected Type\/id/],
    ['Patient/1/_history/', /Invalid version id/],
    ['patients/1', /Unknown resource type 'patients'/],
    ['../Patient/1', /expected Type\/id/],
    ['urn:uuid:1234', /Invalid UUID reference/],
    ['urn:oid:1.2.abc', /Invalid OID reference/],
    ['http://', /Invalid URL/],
    ['http://example.org/a b', /Invalid URL/],
    ['ftp://example.org/Patient/1', /expected Type\/id/],
    ['Patient?', /has no search criteria/],
    ['Foo?name=x', /Unknown resource type 'Foo'/],
  ];
  for (const [reference, message] of invalid) {
    it(`rejects ${JSON.stringify(reference)}`, () => {
      const issues = validate(patientReferencing(reference));
      const issue = expectSingleIssue(issues, 'value', 'Patient.generalPractitioner[0].reference');
      expect(issue.diagnostics).to.match(message);
    });
  }

  it('resolves # from a contained resource to its container and #id to a sibling', () => {
    const patient = {
      resourceType: 'Patient',
      contained: [
        { resourceType: 'Organization', id: 'org' },
        {
          resourceType: 'Practitioner',
          id: 'gp',
          extension: [{ url: 'http://x.org/e', valueReference: { reference: '#' } }],
        },
        {
          resourceType: 'PractitionerRole',
          id: 'role',
          practitioner: { reference: '#gp' },
          organization: { reference: '#org' },
        },
      ],
      generalPractitioner: [{ reference: '#role' }],
    };
    expect(validate(patient)).to.deep.equal([]);
  });

  it('resolves local references within each Bundle entry resource', () => {
    const own = { resourceType: 'Organization', id: 'own' };
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          resource: {
            resourceType: 'Patient',
            contained: [own],
            managingOrganization: { reference: '#own' },
          },
        },
        { resource: { resourceType: 'Patient', managingOrganization: { reference: '#own' } } },
      ],
    };
    expectSingleIssue(validate(bundle), 'value', 'Bundle.entry[1].resource.managingOrganization.reference');
  });

  it('finds references in extensions, backbone elements and data types', () => {
    const observation = {
      ...minimalObservation,
      extension: [{ url: 'http://x.org/e', valueReference: { reference: 'Foo/1' } }],
      _status: { extension: [{ url: 'http://x.org/e', valueReference: { reference: 'Bar/1' } }] },
      performer: [
        { reference: 'Practitioner/1', identifier: { value: '1', assigner: { reference: 'Baz/1' } } },
      ],
      referenceRange: [{ text: 'n', appliesTo: [{ text: 'x' }] }],
      component: [{ code: { text: 'c' }, valueString: 'v' }],
      note: [{ authorReference: { reference: 'Qux/1' }, text: 'note' }],
    };
    const issues = validate(observation);
    expect(issues.map((i) => i.expression?.[0])).to.deep.equal([
      'Observation.extension[0].valueReference.reference',
      'Observation.status.extension[0].valueReference.reference',
      'Observation.performer[0].identifier.assigner.reference',
      'Observation.note[0].authorReference.reference',
    ]);
  });

  it('leaves elements named reference that are not References alone', () => {
    const issue = { resourceType: 'DetectedIssue', status: 'final', reference: 'x/y/z' };
    expect(validate(issue)).to.deep.equal([]);
  });
});
