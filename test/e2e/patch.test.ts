import { expect } from 'chai';
import { failure, useFhirServer } from '../support/client.ts';

describe('PATCH over HTTP', () => {
  const env = useFhirServer();

  const newPatient = () =>
    env.client.create({
      resourceType: 'Patient',
      body: { resourceType: 'Patient', active: true, name: [{ family: 'Jansen' }] },
    });

  it('JSON Patch (fhir-kit-client) makes a new version', async () => {
    const p = await newPatient();
    const patched = await env.client.patch({
      resourceType: 'Patient',
      id: p.id,
      jsonPatch: [
        { op: 'replace', path: '/name/0/family', value: 'Bakker' },
        { op: 'add', path: '/gender', value: 'female' },
      ],
    });
    expect(patched.meta.versionId).to.equal('2');
    expect(patched.name[0].family).to.equal('Bakker');
    expect((await env.client.read({ resourceType: 'Patient', id: p.id })).gender).to.equal('female');
  });

  it('FHIRPath Patch as JSON Parameters and as XML', async () => {
    const p = await newPatient();
    const json = await env.server.fetch(`Patient/${p.id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [
          {
            name: 'operation',
            part: [
              { name: 'type', valueCode: 'add' },
              { name: 'path', valueString: 'Patient' },
              { name: 'name', valueString: 'birthDate' },
              { name: 'value', valueDate: '1970-02-03' },
            ],
          },
        ],
      }),
    });
    expect(json.status).to.equal(200);
    expect((await json.json()).birthDate).to.equal('1970-02-03');
    const xml = await env.server.fetch(`Patient/${p.id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/fhir+xml', 'If-Match': 'W/"2"' },
      body:
        '<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="operation"/>' +
        '<part><name value="type"/><valueCode value="delete"/></part>' +
        '<part><name value="path"/><valueString value="Patient.active"/></part></parameter></Parameters>',
    });
    expect(xml.status).to.equal(200);
    const after = await env.client.read({ resourceType: 'Patient', id: p.id });
    expect(after.active).to.equal(undefined);
    expect(after.meta.versionId).to.equal('3');
  });

  it('a failing patch is 422, an invalid result 400, a stale If-Match 412 — and nothing changes', async () => {
    const p = await newPatient();
    const failing = await failure(
      env.client.patch({
        resourceType: 'Patient',
        id: p.id,
        jsonPatch: [{ op: 'test', path: '/active', value: false }],
      }),
    );
    expect(failing.status).to.equal(422);
    const invalid = await failure(
      env.client.patch({
        resourceType: 'Patient',
        id: p.id,
        jsonPatch: [{ op: 'add', path: '/birthDate', value: 'soon' }],
      }),
    );
    expect(invalid.status).to.equal(400);
    expect(invalid.data.issue[0].expression).to.deep.equal(['Patient.birthDate']);
    const idChange = await failure(
      env.client.patch({
        resourceType: 'Patient',
        id: p.id,
        jsonPatch: [{ op: 'replace', path: '/id', value: 'other' }],
      }),
    );
    expect(idChange.status).to.equal(422);
    const stale = await failure(
      env.client.patch({
        resourceType: 'Patient',
        id: p.id,
        jsonPatch: [{ op: 'add', path: '/gender', value: 'male' }],
        options: { headers: { 'If-Match': 'W/"9"' } },
      }),
    );
    expect(stale.status).to.equal(412);
    expect((await env.client.read({ resourceType: 'Patient', id: p.id })).meta.versionId).to.equal('1');
    const missing = await failure(
      env.client.patch({
        resourceType: 'Patient',
        id: 'nobody',
        jsonPatch: [{ op: 'add', path: '/gender', value: 'male' }],
      }),
    );
    expect(missing.status).to.equal(404);
  });
});
