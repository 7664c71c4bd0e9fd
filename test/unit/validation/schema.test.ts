import { expect } from 'chai';
import { expectIssue, expectSingleIssue, minimalObservation, validate } from './helpers.ts';

describe('validation: FHIR JSON schema', () => {
  it('accepts a minimal valid resource', () => {
    expect(validate({ resourceType: 'Patient' })).to.deep.equal([]);
  });

  it('reports an unknown element once, at its own location', () => {
    const issue = expectSingleIssue(
      validate({ resourceType: 'Patient', foo: 1 }),
      'structure',
      'Patient.foo',
    );
    expect(issue.diagnostics).to.equal("Unknown element 'foo'");
  });

  it('reports unknown elements inside data types', () => {
    const patient = { resourceType: 'Patient', name: [{ family: 'Jansen', nickname: 'J' }] };
    expectSingleIssue(validate(patient), 'structure', 'Patient.name[0].nickname');
  });

  it('reports a wrong primitive JSON type', () => {
    const issue = expectSingleIssue(
      validate({ resourceType: 'Patient', birthDate: 12 }),
      'structure',
      'Patient.birthDate',
    );
    expect(issue.diagnostics).to.equal('Expected a string (FHIR date) but found number');
  });

  it('locates errors inside arrays', () => {
    const patient = { resourceType: 'Patient', name: [{ given: ['Anna', 3] }] };
    expectSingleIssue(validate(patient), 'structure', 'Patient.name[0].given[1]');
  });

  it('reports a bad date format', () => {
    const issue = expectSingleIssue(
      validate({ resourceType: 'Patient', birthDate: '2020-13-01' }),
      'value',
      'Patient.birthDate',
    );
    expect(issue.diagnostics).to.equal('"2020-13-01" is not a valid FHIR date');
  });

  it('reports a bad dateTime format', () => {
    const observation = { ...minimalObservation, effectiveDateTime: '2020-01-01T10:00' };
    expectSingleIssue(validate(observation), 'value', 'Observation.effectiveDateTime');
  });

  it('reports a value outside a required code list', () => {
    const issue = expectSingleIssue(
      validate({ resourceType: 'Patient', gender: 'm' }),
      'code-invalid',
      'Patient.gender',
    );
    expect(issue.diagnostics).to.equal('"m" is not one of: male, female, other, unknown');
  });

  it('reports a single value where an array is expected', () => {
    expectSingleIssue(
      validate({ resourceType: 'Patient', name: { family: 'Jansen' } }),
      'structure',
      'Patient.name',
    );
  });

  it('reports a primitive where a complex type is expected', () => {
    const issue = expectSingleIssue(
      validate({ resourceType: 'Patient', name: ['Anna Jansen'] }),
      'structure',
      'Patient.name[0]',
    );
    expect(issue.diagnostics).to.equal('Expected an object (FHIR HumanName) but found string');
  });

  it('reports a fractional integer and a non-positive positiveInt', () => {
    expectSingleIssue(
      validate({ resourceType: 'Patient', multipleBirthInteger: 1.5 }),
      'structure',
      'Patient.multipleBirthInteger',
    );
    const sampled = { origin: { value: 0 }, period: 1, dimensions: 0 };
    expectSingleIssue(
      validate({ ...minimalObservation, valueSampledData: sampled }),
      'value',
      'Observation.valueSampledData.dimensions',
    );
  });

  it('reports missing required elements (complex and primitive)', () => {
    const issues = validate({ resourceType: 'Observation' });
    expect(issues).to.have.length(2);
    expectIssue(issues, 'required', 'Observation.code');
    const status = expectIssue(issues, 'required', 'Observation.status');
    expect(status.diagnostics).to.equal("Missing required element 'status'");
  });

  it('accepts a required primitive given only through its extension', () => {
    const observation = {
      resourceType: 'Observation',
      _status: {
        extension: [
          { url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' },
        ],
      },
      code: { text: 'weight' },
    };
    expect(validate(observation)).to.deep.equal([]);
  });

  it('reports missing required elements in backbone elements', () => {
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'POST' } }] };
    expectSingleIssue(validate(bundle), 'required', 'Bundle.entry[0].request.url');
    expectSingleIssue(validate({ resourceType: 'Bundle' }), 'required', 'Bundle.type');
  });

  it('maps primitive extensions (_element) to the element path', () => {
    const patient = {
      resourceType: 'Patient',
      _birthDate: { extension: [{ url: 'http://x.org/e', valueFoo: 1 }] },
    };
    expectSingleIssue(validate(patient), 'structure', 'Patient.birthDate.extension[0].valueFoo');
  });

  it('validates a contained resource against its own type without oneOf noise', () => {
    const patient = {
      resourceType: 'Patient',
      contained: [{ resourceType: 'Observation', status: 'final' }],
    };
    expectSingleIssue(validate(patient), 'required', 'Patient.contained[0].code');
  });

  it('validates resources inside Bundle entries and Parameters', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: { resourceType: 'Patient' } },
        { resource: { resourceType: 'Patient', active: 'yes' } },
      ],
    };
    expectSingleIssue(validate(bundle), 'structure', 'Bundle.entry[1].resource.active');
    const parameters = {
      resourceType: 'Parameters',
      parameter: [{ name: 'p', resource: { resourceType: 'Patient', birthDate: 'yesterday' } }],
    };
    expectSingleIssue(validate(parameters), 'value', 'Parameters.parameter[0].resource.birthDate');
  });

  it('caps the number of issues', () => {
    const patient: Record<string, unknown> = { resourceType: 'Patient' };
    for (let i = 0; i < 120; i++) patient[`unknown${i}`] = i;
    const issues = validate(patient);
    expect(issues).to.have.length(50);
    expect(issues.slice(0, 49).every((i) => i.severity === 'error' && i.code === 'structure')).to.equal(true);
    expect(issues[49]).to.include({ severity: 'information', code: 'too-costly' });
    expect(issues[49]?.diagnostics).to.equal('71 further validation issues were not reported');
  });
});
