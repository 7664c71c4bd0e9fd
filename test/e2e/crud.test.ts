import { expect } from 'chai';
import { request } from 'node:http';
import { failure, useFhirServer } from '../support/client.ts';
import { FHIR_JSON, jsonHeaders } from '../support/harness.ts';

const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const patient = (family = 'Jansen') => ({
  resourceType: 'Patient',
  identifier: [{ system: BSN, value: '999911120' }],
  name: [{ family, given: ['Anna'] }],
  birthDate: '1980-04-01',
});

describe('REST interactions (fhir-kit-client over HTTP)', () => {
  const env = useFhirServer();

  it('create assigns an id and version 1, ignoring a client id, and answers 201 with Location and ETag', async () => {
    const res = await env.server.fetch('Patient', {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({ ...patient(), id: 'client-chosen' }),
    });
    expect(res.status).to.equal(201);
    const body = await res.json();
    expect(body.id).to.be.a('string').and.not.equal('client-chosen');
    expect(body.meta.versionId).to.equal('1');
    expect(res.headers.get('location')).to.equal(`${env.server.base}/Patient/${body.id}/_history/1`);
    expect(res.headers.get('etag')).to.equal('W/"1"');
    expect(res.headers.get('last-modified')).to.equal(new Date(body.meta.lastUpdated).toUTCString());
  });

  it('read and vread return what was stored; update makes version 2', async () => {
    const created = await env.client.create({ resourceType: 'Patient', body: patient() });
    const read = await env.client.read({ resourceType: 'Patient', id: created.id });
    expect(read).to.deep.equal(created);
    const updated = await env.client.update({
      resourceType: 'Patient',
      id: created.id,
      body: { ...read, name: [{ family: 'de Vries' }] },
    });
    expect(updated.meta.versionId).to.equal('2');
    expect(updated.name[0].family).to.equal('de Vries');
    const v1 = await env.client.vread({ resourceType: 'Patient', id: created.id, version: '1' });
    expect(v1.name[0].family).to.equal('Jansen');
    const v2 = await env.client.vread({ resourceType: 'Patient', id: created.id, version: '2' });
    expect(v2).to.deep.equal(updated);
    expect(
      (await failure(env.client.vread({ resourceType: 'Patient', id: created.id, version: '3' }))).status,
    ).to.equal(404);
  });

  it('an update that changes nothing keeps the current version', async () => {
    const created = await env.client.create({ resourceType: 'Patient', body: patient() });
    const again = await env.client.update({ resourceType: 'Patient', id: created.id, body: created });
    expect(again.meta.versionId).to.equal('1');
  });

  it('update creates with a client id (201), then updates it (200)', async () => {
    const first = await env.server.fetch('Patient/client-id-1', {
      method: 'PUT',
      headers: jsonHeaders(),
      body: JSON.stringify({ ...patient(), id: 'client-id-1' }),
    });
    expect(first.status).to.equal(201);
    expect(first.headers.get('location')).to.equal(`${env.server.base}/Patient/client-id-1/_history/1`);
    const second = await env.server.fetch('Patient/client-id-1', {
      method: 'PUT',
      headers: jsonHeaders(),
      body: JSON.stringify({ ...patient('Bakker'), id: 'client-id-1' }),
    });
    expect(second.status).to.equal(200);
    expect((await second.json()).meta.versionId).to.equal('2');
  });

  it('delete answers 204, a read then 410, history keeps the deletion, and a new update revives it', async () => {
    const created = await env.client.create({ resourceType: 'Patient', body: patient() });
    const del = await env.server.fetch(`Patient/${created.id}`, { method: 'DELETE' });
    expect(del.status).to.equal(204);
    const gone = await env.server.fetch(`Patient/${created.id}`);
    expect(gone.status).to.equal(410);
    const outcome = await gone.json();
    expect(outcome.resourceType).to.equal('OperationOutcome');
    expect(outcome.issue[0].code).to.equal('deleted');
    const again = await env.server.fetch(`Patient/${created.id}`, { method: 'DELETE' });
    expect(again.status).to.equal(204);
    const hist = await env.client.resourceHistory({ resourceType: 'Patient', id: created.id });
    expect(hist.total).to.equal(2);
    expect(hist.entry[0].request.method).to.equal('DELETE');
    expect(hist.entry[0].resource).to.equal(undefined);
    const revived = await env.server.fetch(`Patient/${created.id}`, {
      method: 'PUT',
      headers: jsonHeaders(),
      body: JSON.stringify({ ...patient(), id: created.id }),
    });
    expect(revived.status).to.equal(201);
    expect((await revived.json()).meta.versionId).to.equal('3');
  });

  it('unknown ids give 404 with an OperationOutcome', async () => {
    const res = await failure(env.client.read({ resourceType: 'Patient', id: 'does-not-exist' }));
    expect(res.status).to.equal(404);
    expect(res.data.resourceType).to.equal('OperationOutcome');
  });

  it('If-Match: the current version updates, a stale one gets 412 and changes nothing', async () => {
    const created = await env.client.create({ resourceType: 'Patient', body: patient() });
    const ok = await env.client.update({
      resourceType: 'Patient',
      id: created.id,
      body: { ...created, gender: 'female' },
      options: { headers: { 'If-Match': 'W/"1"' } },
    });
    expect(ok.meta.versionId).to.equal('2');
    const stale = await failure(
      env.client.update({
        resourceType: 'Patient',
        id: created.id,
        body: { ...created, gender: 'male' },
        options: { headers: { 'If-Match': 'W/"1"' } },
      }),
    );
    expect(stale.status).to.equal(412);
    expect((await env.client.read({ resourceType: 'Patient', id: created.id })).gender).to.equal('female');
    const staleDelete = await env.server.fetch(`Patient/${created.id}`, {
      method: 'DELETE',
      headers: { 'If-Match': 'W/"1"' },
    });
    expect(staleDelete.status).to.equal(412);
  });

  it('If-None-Match and If-Modified-Since on read answer 304', async () => {
    const created = await env.client.create({ resourceType: 'Patient', body: patient() });
    const etag = await env.server.fetch(`Patient/${created.id}`, { headers: { 'If-None-Match': 'W/"1"' } });
    expect(etag.status).to.equal(304);
    const other = await env.server.fetch(`Patient/${created.id}`, { headers: { 'If-None-Match': 'W/"7"' } });
    expect(other.status).to.equal(200);
    const lastModified = new Date(created.meta.lastUpdated).toUTCString();
    const since = await env.server.fetch(`Patient/${created.id}`, {
      headers: { 'If-Modified-Since': lastModified },
    });
    expect(since.status).to.equal(304);
    const before = new Date(Date.parse(created.meta.lastUpdated) - 60_000).toUTCString();
    expect(
      (await env.server.fetch(`Patient/${created.id}`, { headers: { 'If-Modified-Since': before } })).status,
    ).to.equal(200);
  });

  it('Prefer: return=minimal, representation and OperationOutcome', async () => {
    const post = (prefer: string) =>
      env.server.fetch('Patient', {
        method: 'POST',
        headers: jsonHeaders({ Prefer: prefer }),
        body: JSON.stringify(patient()),
      });
    const minimal = await post('return=minimal');
    expect(minimal.status).to.equal(201);
    expect(await minimal.text()).to.equal('');
    expect(minimal.headers.get('location')).to.match(/\/Patient\/[^/]+\/_history\/1$/);
    const rep = await post('return=representation');
    expect((await rep.json()).resourceType).to.equal('Patient');
    const oo = await post('return=OperationOutcome');
    expect(oo.status).to.equal(201);
    expect((await oo.json()).resourceType).to.equal('OperationOutcome');
  });

  it('_format and Accept choose JSON or XML; _pretty indents', async () => {
    const created = await env.client.create({ resourceType: 'Patient', body: patient() });
    const xml = await env.server.fetch(`Patient/${created.id}?_format=xml`);
    expect(xml.headers.get('content-type')).to.match(/^application\/fhir\+xml/);
    expect(await xml.text()).to.contain('<family value="Jansen"/>');
    const accept = await env.server.fetch(`Patient/${created.id}`, {
      headers: { Accept: 'application/fhir+xml' },
    });
    expect(await accept.text()).to.match(/^<\?xml/);
    const pretty = await env.server.fetch(`Patient/${created.id}?_pretty=true`, {
      headers: { Accept: FHIR_JSON },
    });
    expect(await pretty.text()).to.contain('\n  "resourceType": "Patient"');
    const bad = await env.server.fetch(`Patient/${created.id}?_format=yaml`);
    expect(bad.status).to.equal(400);
  });

  it('accepts an XML body and answers in XML', async () => {
    const xml =
      '<Patient xmlns="http://hl7.org/fhir"><identifier><system value="http://fhir.nl/fhir/NamingSystem/bsn"/>' +
      '<value value="999911120"/></identifier><name><family value="Visser"/></name></Patient>';
    const res = await env.server.fetch('Patient', {
      method: 'POST',
      headers: { 'Content-Type': 'application/fhir+xml', Accept: 'application/fhir+xml' },
      body: xml,
    });
    expect(res.status).to.equal(201);
    const text = await res.text();
    expect(text).to.contain('<family value="Visser"/>');
    expect(text).to.contain('<versionId value="1"/>');
  });

  it('If-Match: * updates an existing resource and refuses a missing one', async () => {
    const created = await env.client.create({ resourceType: 'Patient', body: patient() });
    const ok = await env.server.fetch(`Patient/${created.id}`, {
      method: 'PUT',
      headers: jsonHeaders({ 'If-Match': '*' }),
      body: JSON.stringify({ ...created, gender: 'other' }),
    });
    expect(ok.status).to.equal(200);
    const missing = await env.server.fetch('Patient/not-there-yet', {
      method: 'PUT',
      headers: jsonHeaders({ 'If-Match': '*' }),
      body: JSON.stringify({ ...patient(), id: 'not-there-yet' }),
    });
    expect(missing.status).to.equal(412);
  });

  it('ids made only of dots are refused (clients resolve them away as path segments)', async () => {
    for (const id of ['.', '..', '...']) {
      // fetch normalises dot segments, so send the raw request line, as curl --path-as-is would.
      const status = await new Promise<number>((resolve, reject) => {
        const url = new URL(env.server.base);
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: `/Patient/${id}`,
            method: 'PUT',
            headers: jsonHeaders({ Authorization: env.server.authorization! }),
          },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ ...patient(), id }));
      });
      expect(status, id).to.equal(400);
      const tx = await env.server.fetch('', {
        method: 'POST',
        headers: jsonHeaders(),
        body: JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [{ resource: { ...patient(), id }, request: { method: 'PUT', url: `Patient/${id}` } }],
        }),
      });
      expect(tx.status, `transaction ${id}`).to.equal(400);
    }
  });

  it('HEAD on a vread gives the headers without a body', async () => {
    const created = await env.client.create({ resourceType: 'Patient', body: patient() });
    const res = await env.server.fetch(`Patient/${created.id}/_history/1`, { method: 'HEAD' });
    expect(res.status).to.equal(200);
    expect(res.headers.get('etag')).to.equal('W/"1"');
    expect(await res.text()).to.equal('');
  });

  it('HEAD on a read gives the headers without a body', async () => {
    const created = await env.client.create({ resourceType: 'Patient', body: patient() });
    const res = await env.server.fetch(`Patient/${created.id}`, { method: 'HEAD' });
    expect(res.status).to.equal(200);
    expect(res.headers.get('etag')).to.equal('W/"1"');
    expect(await res.text()).to.equal('');
  });
});
