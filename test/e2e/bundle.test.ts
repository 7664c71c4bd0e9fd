import { expect } from 'chai';
import { failure, useFhirServer } from '../support/client.ts';
import { jsonHeaders } from '../support/harness.ts';

const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';

describe('batch and transaction Bundles', () => {
  const env = useFhirServer();

  it('a transaction resolves urn:uuid fullUrls, processes DELETE→POST→PUT→GET, and answers in entry order', async () => {
    const doomed = await env.client.create({
      resourceType: 'Patient',
      body: { resourceType: 'Patient', active: true },
    });
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          request: {
            method: 'GET',
            url: 'Patient?identifier=' + encodeURIComponent(`${BSN}|246810121`) + '&_total=accurate',
          },
        },
        {
          fullUrl: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a',
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'weight' },
            subject: { reference: 'urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059' },
            text: {
              status: 'generated',
              div: '<div xmlns="http://www.w3.org/1999/xhtml"><a href="urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059">patient</a></div>',
            },
          },
          request: { method: 'POST', url: 'Observation' },
        },
        {
          fullUrl: 'urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059',
          resource: { resourceType: 'Patient', identifier: [{ system: BSN, value: '246810121' }] },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          fullUrl: `${env.server.base}/Patient/tx-put-1`,
          resource: {
            resourceType: 'Patient',
            id: 'tx-put-1',
            link: [
              { other: { reference: 'urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059' }, type: 'seealso' },
            ],
          },
          request: { method: 'PUT', url: 'Patient/tx-put-1' },
        },
        { request: { method: 'DELETE', url: `Patient/${doomed.id}` } },
      ],
    };
    const res = await env.client.transaction({ body: bundle });
    expect(res.type).to.equal('transaction-response');
    expect(res.entry.map((e: any) => e.response.status)).to.deep.equal([
      '200 OK',
      '201 Created',
      '201 Created',
      '201 Created',
      '204 No Content',
    ]);
    // GET ran last, so it sees the Patient created by the POST in the same transaction.
    expect(res.entry[0].resource.total).to.equal(1);
    const patientLocation: string = res.entry[2].response.location;
    const patientRef = patientLocation.replace(`${env.server.base}/`, '').replace(/\/_history\/.*/, '');
    const obsId = res.entry[1].response.location.split('/')[4];
    const obs = await env.client.read({ resourceType: 'Observation', id: obsId });
    expect(obs.subject.reference).to.equal(patientRef);
    expect(obs.text.div).to.contain(`href="${patientRef}"`);
    const linked = await env.client.read({ resourceType: 'Patient', id: 'tx-put-1' });
    expect(linked.link[0].other.reference).to.equal(patientRef);
    expect((await failure(env.client.read({ resourceType: 'Patient', id: doomed.id }))).status).to.equal(410);
    expect(res.entry[1].response.etag).to.equal('W/"1"');
    expect(res.entry[1].resource).to.equal(undefined);
  });

  it('resolves conditional creates and conditional references inside a transaction', async () => {
    await env.client.create({
      resourceType: 'Patient',
      body: { resourceType: 'Patient', identifier: [{ system: BSN, value: '135791113' }] },
    });
    const res = await env.client.transaction({
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'urn:uuid:0c1e0b4f-2f2b-4b8e-9d38-6d2b0cbe8e01',
            resource: { resourceType: 'Patient', identifier: [{ system: BSN, value: '135791113' }] },
            request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${BSN}|135791113` },
          },
          {
            resource: {
              resourceType: 'Observation',
              status: 'final',
              code: { text: 'a' },
              subject: { reference: 'urn:uuid:0c1e0b4f-2f2b-4b8e-9d38-6d2b0cbe8e01' },
              performer: [{ reference: `Patient?identifier=${BSN}|135791113` }],
            },
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      },
    });
    expect(res.entry[0].response.status).to.equal('200 OK');
    const existing = (await env.client.request(`Patient?identifier=${BSN}|135791113`)).entry[0].resource.id;
    const obs = await env.client.read({
      resourceType: 'Observation',
      id: res.entry[1].response.location.split('/')[4],
    });
    expect(obs.subject.reference).to.equal(`Patient/${existing}`);
    expect(obs.performer[0].reference).to.equal(`Patient/${existing}`);
  });

  it('a transaction whose last entry fails leaves nothing behind and names the entry', async () => {
    const before = (await env.client.request('_history?_count=1000')).entry.length;
    const res = await env.server.fetch('', {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            resource: { resourceType: 'Patient', active: true },
            request: { method: 'POST', url: 'Patient' },
          },
          {
            resource: { resourceType: 'Patient', id: 'tx-rollback' },
            request: { method: 'PUT', url: 'Patient/tx-rollback' },
          },
          {
            resource: { resourceType: 'Patient', birthDate: 'yesterday' },
            request: { method: 'POST', url: 'Patient' },
          },
        ],
      }),
    });
    expect(res.status).to.equal(400);
    const outcome = await res.json();
    expect(outcome.issue[0].diagnostics).to.match(/^Bundle\.entry\[2\]/);
    expect((await env.client.request('_history?_count=1000')).entry.length).to.equal(before);
    expect((await failure(env.client.read({ resourceType: 'Patient', id: 'tx-rollback' }))).status).to.equal(
      404,
    );
  });

  it('an unresolvable urn:uuid or a conditional reference without a match fails the transaction', async () => {
    const post = (reference: string) =>
      env.server.fetch('', {
        method: 'POST',
        headers: jsonHeaders(),
        body: JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            {
              resource: {
                resourceType: 'Observation',
                status: 'final',
                code: { text: 'x' },
                subject: { reference },
              },
              request: { method: 'POST', url: 'Observation' },
            },
          ],
        }),
      });
    expect((await post('urn:uuid:7d4c1f3e-0000-4000-8000-000000000000')).status).to.equal(400);
    expect((await post(`Patient?identifier=${BSN}|000000000`)).status).to.equal(412);
  });

  it('Prefer: return=representation puts the resources in the response', async () => {
    const res = await env.server.fetch('', {
      method: 'POST',
      headers: jsonHeaders({ Prefer: 'return=representation' }),
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            resource: { resourceType: 'Patient', active: true },
            request: { method: 'POST', url: 'Patient' },
          },
        ],
      }),
    });
    const body = await res.json();
    expect(body.entry[0].resource.resourceType).to.equal('Patient');
    expect(body.entry[0].resource.meta.versionId).to.equal('1');
  });

  it('a batch processes entries independently: failures get an OperationOutcome, the rest succeed', async () => {
    const res = await env.client.batch({
      body: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          {
            resource: { resourceType: 'Patient', active: true },
            request: { method: 'POST', url: 'Patient' },
          },
          {
            resource: { resourceType: 'Patient', birthDate: 'nope' },
            request: { method: 'POST', url: 'Patient' },
          },
          { request: { method: 'GET', url: 'Patient/does-not-exist' } },
          { request: { method: 'DELETE', url: 'Patient/does-not-exist-either' } },
          { request: { method: 'PATCH', url: 'Patient/x' } },
        ],
      },
    });
    expect(res.type).to.equal('batch-response');
    const statuses = res.entry.map((e: any) => e.response.status);
    expect(statuses.slice(0, 4)).to.deep.equal([
      '201 Created',
      '400 Bad Request',
      '404 Not Found',
      '204 No Content',
    ]);
    expect(res.entry[1].response.outcome.resourceType).to.equal('OperationOutcome');
    expect(res.entry[1].response.outcome.issue[0].diagnostics).to.match(/^Bundle\.entry\[1\]/);
    const created = res.entry[0].response.location.split('/')[4];
    expect((await env.client.read({ resourceType: 'Patient', id: created })).active).to.equal(true);
  });

  it('a conditional reference finds a resource POSTed in the same transaction', async () => {
    const res = await env.client.transaction({
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            resource: {
              resourceType: 'Observation',
              status: 'final',
              code: { text: 'x' },
              subject: { reference: `Patient?identifier=${BSN}|575757575` },
            },
            request: { method: 'POST', url: 'Observation' },
          },
          {
            resource: { resourceType: 'Patient', identifier: [{ system: BSN, value: '575757575' }] },
            request: { method: 'POST', url: 'Patient' },
          },
        ],
      },
    });
    const patientRef = res.entry[1].response.location
      .replace(`${env.server.base}/`, '')
      .replace(/\/_history\/.*/, '');
    const obs = await env.client.read({
      resourceType: 'Observation',
      id: res.entry[0].response.location.split('/')[4],
    });
    expect(obs.subject.reference).to.equal(patientRef);
  });

  it('a conditional PUT that resolves to a resource POSTed in the same transaction is an overlap (400)', async () => {
    const res = await env.server.fetch('', {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            resource: {
              resourceType: 'Patient',
              identifier: [{ system: BSN, value: '686868686' }],
              active: false,
            },
            request: { method: 'PUT', url: `Patient?identifier=${BSN}|686868686` },
          },
          {
            resource: { resourceType: 'Patient', identifier: [{ system: BSN, value: '686868686' }] },
            request: { method: 'POST', url: 'Patient' },
          },
        ],
      }),
    });
    expect(res.status).to.equal(400);
    expect((await res.json()).issue[0].diagnostics).to.match(/also written by entry/);
    expect((await env.client.request(`Patient?identifier=${BSN}|686868686&_total=accurate`)).total).to.equal(
      0,
    );
  });

  it('a transaction that writes one resource twice fails and writes nothing', async () => {
    const before = (await env.client.request('_history?_count=1000')).entry.length;
    const res = await env.server.fetch('', {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            resource: { resourceType: 'Patient', id: 'twice' },
            request: { method: 'PUT', url: 'Patient/twice' },
          },
          {
            resource: { resourceType: 'Patient', id: 'twice', active: true },
            request: { method: 'PUT', url: 'Patient/twice' },
          },
        ],
      }),
    });
    expect(res.status).to.equal(400);
    expect((await res.json()).issue[0].diagnostics).to.match(/Bundle\.entry\[1\].*also written by entry 0/);
    expect((await env.client.request('_history?_count=1000')).entry.length).to.equal(before);
  });

  it('FHIRPath Patch entries get their urn:uuid references resolved too', async () => {
    const obs = await env.client.create({
      resourceType: 'Observation',
      body: { resourceType: 'Observation', status: 'final', code: { text: 'y' } },
    });
    const res = await env.client.transaction({
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'urn:uuid:11111111-2222-4333-8444-555555555555',
            resource: { resourceType: 'Patient', active: true },
            request: { method: 'POST', url: 'Patient' },
          },
          {
            resource: {
              resourceType: 'Parameters',
              parameter: [
                {
                  name: 'operation',
                  part: [
                    { name: 'type', valueCode: 'add' },
                    { name: 'path', valueString: 'Observation' },
                    { name: 'name', valueString: 'subject' },
                    {
                      name: 'value',
                      valueReference: { reference: 'urn:uuid:11111111-2222-4333-8444-555555555555' },
                    },
                  ],
                },
              ],
            },
            request: { method: 'PATCH', url: `Observation/${obs.id}` },
          },
        ],
      },
    });
    const patientRef = res.entry[0].response.location
      .replace(`${env.server.base}/`, '')
      .replace(/\/_history\/.*/, '');
    expect((await env.client.read({ resourceType: 'Observation', id: obs.id })).subject.reference).to.equal(
      patientRef,
    );
  });

  it('JSON Patch travels as a Binary inside a transaction', async () => {
    const p = await env.client.create({
      resourceType: 'Patient',
      body: { resourceType: 'Patient', active: true },
    });
    const ops = [{ op: 'replace', path: '/active', value: false }];
    const res = await env.client.transaction({
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            resource: {
              resourceType: 'Binary',
              contentType: 'application/json-patch+json',
              data: Buffer.from(JSON.stringify(ops)).toString('base64'),
            },
            request: { method: 'PATCH', url: `Patient/${p.id}` },
          },
        ],
      },
    });
    expect(res.entry[0].response.status).to.equal('200 OK');
    expect((await env.client.read({ resourceType: 'Patient', id: p.id })).active).to.equal(false);
  });
});
