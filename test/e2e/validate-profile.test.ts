import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseFhirXml } from '../../server/fhir/format/xml/index.ts';
import { jsonHeaders, startTestServer, type TestServer } from '../support/harness.ts';
import { NOT_NL_CORE_PATIENT } from '../support/nl-core-samples.ts';

const NL_CORE_PATIENT = 'http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient';
const goodPatient = () =>
  parseFhirXml(
    readFileSync(
      new URL('../fixtures/nictiz/zib2020-examples/nl-core-Patient-01.xml', import.meta.url),
      'utf8',
    ),
  ) as Record<string, unknown>;
const badPatient = NOT_NL_CORE_PATIENT;

describe('$validate against nl-core profiles (HTTP)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const validate = async (path: string, body: unknown) => {
    const res = await server.fetch(path, {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify(body),
    });
    return { status: res.status, outcome: await res.json() };
  };
  const errorsOf = (outcome: any) => outcome.issue.filter((i: any) => i.severity === 'error');

  it('POST Patient/$validate?profile=nl-core-Patient: a bad Patient gets errors with locations', async () => {
    const { status, outcome } = await validate(
      `Patient/$validate?profile=${encodeURIComponent(NL_CORE_PATIENT)}`,
      badPatient,
    );
    expect(status).to.equal(200);
    expect(outcome.resourceType).to.equal('OperationOutcome');
    const errors = errorsOf(outcome);
    expect(errors.map((i: any) => i.expression[0])).to.have.members([
      'Patient.name',
      'Patient.address[0].line[0].extension[0].valueInteger',
    ]);
    expect(errors[0].diagnostics).to.match(/nameInformation/);
  });

  it('POST Patient/$validate?profile=nl-core-Patient: the official example has no errors', async () => {
    const { status, outcome } = await validate(
      `Patient/$validate?profile=${encodeURIComponent(NL_CORE_PATIENT)}`,
      goodPatient(),
    );
    expect(status).to.equal(200);
    expect(errorsOf(outcome)).to.deep.equal([]);
    expect(outcome.issue[0]).to.include({ severity: 'information', diagnostics: 'Validation successful' });
  });

  it('the profile may come as a Parameters part', async () => {
    const { outcome } = await validate('Patient/$validate', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'resource', resource: badPatient },
        { name: 'profile', valueUri: NL_CORE_PATIENT },
      ],
    });
    expect(errorsOf(outcome).length).to.be.greaterThan(0);
  });

  it('without a profile, the loaded meta.profile is checked and an unknown one is reported', async () => {
    const claimed = {
      ...badPatient,
      meta: { profile: [NL_CORE_PATIENT, 'http://example.org/StructureDefinition/other'] },
    };
    const { outcome } = await validate('Patient/$validate', claimed);
    expect(errorsOf(outcome).length).to.be.greaterThan(0);
    const info = outcome.issue.filter(
      (i: any) => i.severity === 'information' && /not loaded/.test(i.diagnostics),
    );
    expect(info.map((i: any) => i.diagnostics)).to.deep.equal([
      'Profile http://example.org/StructureDefinition/other (meta.profile) is not loaded on this server; not checked',
    ]);
    const plain = await validate('Patient/$validate', badPatient);
    expect(errorsOf(plain.outcome)).to.deep.equal([]); // no profile claimed: base R4 only
  });

  it('an unknown profile is a 400 OperationOutcome; a profile of another type too', async () => {
    const unknown = await validate(
      'Patient/$validate?profile=http://example.org/StructureDefinition/nope',
      badPatient,
    );
    expect(unknown.status).to.equal(400);
    expect(unknown.outcome.resourceType).to.equal('OperationOutcome');
    expect(unknown.outcome.issue[0]).to.include({ severity: 'error', code: 'not-supported' });
    const other = await validate(`Observation/$validate?profile=${encodeURIComponent(NL_CORE_PATIENT)}`, {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
    });
    expect(other.status).to.equal(400);
  });

  it('the base R4 profile is accepted and means base validation only', async () => {
    const { status, outcome } = await validate(
      'Patient/$validate?profile=http://hl7.org/fhir/StructureDefinition/Patient',
      badPatient,
    );
    expect(status).to.equal(200);
    expect(errorsOf(outcome)).to.deep.equal([]);
  });
});
