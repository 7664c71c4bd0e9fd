import { expect } from 'chai';
import { Writable } from 'node:stream';
import { request } from 'node:http';
import { pino } from 'pino';
import { fhirClient } from '../support/client.ts';
import { jsonHeaders, startTestServer, type TestServer } from '../support/harness.ts';

describe('operations: health, request ids, logs, CapabilityStatement, shutdown', () => {
  let server: TestServer;
  const lines: Record<string, unknown>[] = [];
  before(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    server = await startTestServer({}, { logger: pino({ level: 'info' }, sink) });
  });
  after(() => server.close());

  it('/healthz and /readyz answer 200 while serving', async () => {
    expect((await server.fetch('healthz')).status).to.equal(200);
    const ready = await server.fetch('readyz');
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.deep.equal({ status: 'ready' });
  });

  it('echoes a safe X-Request-Id, replaces an unsafe one, and logs one JSON line per request with it', async () => {
    const res = await server.fetch('Patient/nope', { headers: { 'X-Request-Id': 'trace-abc.123' } });
    expect(res.status).to.equal(404);
    expect(res.headers.get('x-request-id')).to.equal('trace-abc.123');
    const unsafe = await server.fetch('metadata', { headers: { 'X-Request-Id': 'bad id\twith spaces' } });
    expect(unsafe.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 50));
    const line = lines.find((l) => l.reqId === 'trace-abc.123');
    expect(line).to.include({ method: 'GET', url: '/Patient/nope', status: 404, msg: 'request' });
    expect(line!.ms).to.be.a('number');
  });

  it('an internal error is a 500 OperationOutcome with the request id, details only in the log', async () => {
    // Break the database underneath the server to force an unexpected error.
    await server.app.db.knex.raw('alter table resource rename to resource_away');
    try {
      const res = await server.fetch('Patient/any', { headers: { 'X-Request-Id': 'boom-1' } });
      expect(res.status).to.equal(500);
      const body = await res.json();
      expect(body.resourceType).to.equal('OperationOutcome');
      expect(body.issue[0].diagnostics).to.equal('Internal server error (request id boom-1)');
      expect(JSON.stringify(body)).not.to.match(/resource_away|select|relation/i);
      await new Promise((r) => setTimeout(r, 50));
      expect(lines.some((l) => l.reqId === 'boom-1' && l.msg === 'unhandled error')).to.equal(true);
    } finally {
      await server.app.db.knex.raw('alter table resource_away rename to resource');
    }
  });

  it('the CapabilityStatement lists exactly the wired interactions, formats and parameters', async () => {
    const client = await fhirClient(server);
    const cs = await client.capabilityStatement();
    expect(cs.resourceType).to.equal('CapabilityStatement');
    expect(cs.fhirVersion).to.equal('4.0.1');
    expect(cs.format).to.include.members(['application/fhir+json', 'application/fhir+xml']);
    const rest = cs.rest[0];
    expect(rest.interaction.map((i: any) => i.code).sort()).to.deep.equal([
      'batch',
      'history-system',
      'search-system',
      'transaction',
    ]);
    expect(rest.compartment).to.deep.equal(['http://hl7.org/fhir/CompartmentDefinition/patient']);
    expect(rest.resource).to.have.length(146);
    const patient = rest.resource.find((r: any) => r.type === 'Patient');
    expect(patient.interaction.map((i: any) => i.code).sort()).to.deep.equal([
      'create',
      'delete',
      'history-instance',
      'history-type',
      'patch',
      'read',
      'search-type',
      'update',
      'vread',
    ]);
    // Every official Patient parameter, ours, and the built-ins, each with type and modifiers.
    const params = new Map(patient.searchParam.map((p: any) => [p.name, p]));
    for (const name of [
      '_id',
      '_lastUpdated',
      '_tag',
      '_has',
      '_list',
      'identifier',
      'family',
      'birthdate',
    ]) {
      expect(params.has(name), name).to.equal(true);
    }
    expect(params.get('family')).to.include({ type: 'string' });
    expect((params.get('family') as any).documentation)
      .to.contain(':exact')
      .and.contain(':contains');
    expect(params.get('partner-name')).to.include({
      type: 'string',
      definition: 'http://zorgpoort.nl/fhir/SearchParameter/Patient-partner-name',
    });
    expect(params.get('address-housenumber')).to.include({ type: 'token' });
    expect(patient.searchInclude).to.include.members(['*', 'Patient:general-practitioner']);
    expect(patient.operation.map((o: any) => o.name)).to.deep.equal([
      'validate',
      'everything',
      'break-the-glass',
      'merge',
      'export-reports',
      'econsult',
      'portal-search',
      'portal-recent',
      'portal-patient',
      'report-death',
      'access-log',
      'portal-view',
      'portal-lab-series',
    ]);
    expect(patient.operation.find((o: any) => o.name === 'access-log').definition).to.equal(
      'https://zorgpoort.nl/fhir/OperationDefinition/Patient-access-log',
    );
    expect(patient.operation.find((o: any) => o.name === 'merge').definition).to.equal(
      'https://zorgpoort.nl/fhir/OperationDefinition/Patient-merge',
    );
    expect(patient.operation.find((o: any) => o.name === 'break-the-glass').definition).to.equal(
      'https://zorgpoort.nl/fhir/OperationDefinition/Patient-break-the-glass',
    );
    // The referral accounts' operations (server/domain/referral/account-routes.ts).
    const accountOps = (type: string) =>
      rest.resource.find((r: any) => r.type === type).operation.map((o: any) => o.name);
    expect(accountOps('PractitionerRole')).to.deep.equal([
      'validate',
      'verify-function',
      'deactivate-function',
      'reactivate-function',
      'function-details',
      'function-clusters',
    ]);
    expect(accountOps('Practitioner')).to.include.members(['deactivate-account', 'reactivate-account']);
    expect(accountOps('Organization')).to.include.members([
      'invite-colleague',
      'invitations',
      'resend-invitation',
      'persons',
      'referral-report',
    ]);
    // The patient portal's session codes and the HL7 v2 message log's operations are the
    // server's, not any type's.
    expect(rest.operation.map((o: any) => o.name)).to.deep.equal([
      'session-code',
      'open-service',
      'hl7-messages',
      'hl7-message',
      'hl7-requeue',
      'hl7-cancel',
    ]);
    expect(rest.operation.find((o: any) => o.name === 'hl7-messages').definition).to.equal(
      'https://zorgpoort.nl/fhir/OperationDefinition/hl7-messages',
    );
    expect(accountOps('Person')).to.include.members(['register-digid', 'link-patient']);
    // The care catalogue and the referral from an offering (seed 003, server/domain/referral).
    const service = rest.resource.find((r: any) => r.type === 'HealthcareService');
    expect(service.operation.map((o: any) => o.name)).to.deep.equal(['validate', 'catalogue', 'refer']);
    expect(service.operation[1].definition).to.equal(
      'https://zorgpoort.nl/fhir/OperationDefinition/HealthcareService-catalogue',
    );
    expect(service.operation[2].definition).to.equal(
      'https://zorgpoort.nl/fhir/OperationDefinition/HealthcareService-refer',
    );
    // $everything and $break-the-glass are Patient operations only.
    const observation = rest.resource.find((r: any) => r.type === 'Observation');
    expect(observation.operation.map((o: any) => o.name)).to.deep.equal(['validate']);
    // The referral's delivery and status (seed 003), and FHIR's document operation.
    const ops = (type: string) =>
      rest.resource.find((r: any) => r.type === type).operation.map((o: any) => o.name);
    expect(ops('ServiceRequest')).to.include.members(['send-hl7', 'resend']);
    expect(ops('Task')).to.include.members(['referral-status', 'decide-repeat']);
    // The GP practice's portal (seed 004, server/domain/practice).
    expect(ops('MedicationRequest')).to.include.members(['request-repeat', 'send-reminders']);
    expect(ops('Communication')).to.include.members(['answer']);
    expect(ops('Composition')).to.include.members(['document']);
    expect(
      rest.resource
        .find((r: any) => r.type === 'Composition')
        .operation.find((o: any) => o.name === 'document').definition,
    ).to.equal('http://hl7.org/fhir/OperationDefinition/Composition-document');
    expect(patient.conditionalDelete).to.equal('single');
  });

  it('$validate reports problems with FHIRPath locations without storing anything', async () => {
    const bad = await server.fetch('Patient/$validate', {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({ resourceType: 'Patient', birthDate: '1980-13-45', foo: 1 }),
    });
    expect(bad.status).to.equal(200);
    const outcome = await bad.json();
    const expressions = outcome.issue.flatMap((i: any) => i.expression ?? []);
    expect(expressions).to.include.members(['Patient.birthDate', 'Patient.foo']);
    const good = await server.fetch('Patient/$validate', {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [{ name: 'resource', resource: { resourceType: 'Patient', active: true } }],
      }),
    });
    expect((await good.json()).issue[0].severity).to.equal('information');
    expect((await (await server.fetch('Patient/_history')).json()).entry ?? []).to.have.length(0);
  });

  it('graceful shutdown: /readyz turns 503 and an in-flight request still completes', async function () {
    this.timeout(30_000);
    const own = await startTestServer();
    own.app.drain();
    const draining = await own.fetch('readyz');
    expect(draining.status).to.equal(503);
    expect(await draining.json()).to.deep.equal({ status: 'draining' });
    const url = new URL(`${own.base}/Patient`);
    const body = JSON.stringify({ resourceType: 'Patient', active: true });
    // Send half the body, start the shutdown, then send the rest: the request must still succeed.
    const done = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            'Content-Type': 'application/fhir+json',
            'Content-Length': Buffer.byteLength(body),
            Authorization: own.authorization!,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(async () => {
        const stopping = own.stop();
        await new Promise((r) => setTimeout(r, 100));
        req.end(body.slice(10));
        await stopping;
      }, 100);
    });
    expect(await done).to.equal(201);
    await own.close();
    let refused = false;
    await fetch(`${own.base}/metadata`).catch(() => (refused = true));
    expect(refused).to.equal(true);
  });
});
