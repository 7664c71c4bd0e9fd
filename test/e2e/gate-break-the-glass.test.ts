import { expect } from 'chai';
import { putResources, startTestServer, type TestServer, callAs } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';
import { personToken } from '../support/smart-flow.ts';

type Json = Record<string, any>;

const UZI_ROLE = 'urn:oid:2.16.840.1.113883.2.4.15.111';
const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
const ORG_TYPE = 'http://nictiz.nl/fhir/NamingSystem/organization-type';
const role = (id: string, practitioner: string, org: string, code: string) =>
  [
    'PractitionerRole',
    id,
    {
      practitioner: { reference: `Practitioner/${practitioner}` },
      organization: { reference: `Organization/${org}` },
      code: [{ coding: [{ system: UZI_ROLE, code }] }],
    },
  ] as const;
const reason = (text?: string) => ({
  resourceType: 'Parameters',
  parameter: text === undefined ? [] : [{ name: 'reason', valueString: text }],
});

/** A GP out-of-hours post (huisartsenpost) by its organisation type; the GP role there. */
const BTG = { roles: [`${UZI_ROLE}|01.015`], organizations: [`${ORG_TYPE}|HAP`] };

async function network(server: TestServer) {
  await putResources(server, [
    [
      'Organization',
      'hap',
      { name: 'Huisartsenpost', type: [{ coding: [{ system: ORG_TYPE, code: 'HAP' }] }] },
    ],
    ['Organization', 'ziekenhuis', { name: 'Ziekenhuis' }],
    ['Practitioner', 'hap-arts', {}],
    ['Practitioner', 'hap-assistent', {}],
    ['Practitioner', 'elders-arts', {}],
    role('hap-arts-role', 'hap-arts', 'hap', '01.015'),
    role('hap-assistent-role', 'hap-assistent', 'hap', '30.000'),
    role('elders-arts-role', 'elders-arts', 'ziekenhuis', '01.015'),
    ['Patient', 'p1', { meta: { tag: [{ system: CUSTODIAN, code: 'ziekenhuis' }] } }],
    [
      'Observation',
      'p1-lab',
      {
        meta: { tag: [{ system: CUSTODIAN, code: 'ziekenhuis' }] },
        status: 'final',
        code: { text: 'Hb' },
        subject: { reference: 'Patient/p1' },
      },
    ],
  ]);
}

describe('the gate: break-the-glass', function () {
  this.timeout(120_000);
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  const open = (as: string, body: Json) =>
    call('Patient/p1/$break-the-glass', as, { method: 'POST', body: JSON.stringify(body) });
  const codes = (outcome: Json) => (outcome.issue ?? []).map((i: Json) => i.code);

  before(async () => {
    server = await startTestServer(
      {},
      {
        config: {
          smart: { devLogin: true, cookieKeys: [] },
          access: { dischargeGraceHours: 24, administrationRoles: [], breakTheGlass: { ...BTG, hours: 12 } },
        },
      },
    );
    await network(server);
    for (const who of ['hap-arts', 'hap-assistent', 'elders-arts']) {
      tokens[who] = await personToken(server, `Practitioner/${who}`);
    }
    tokens.patient = await personToken(server, 'Patient/p1', 'openid fhirUser patient/*.rs');
    const scope = 'system/AuditEvent.rs';
    tokens.auditor = `Bearer ${await backendToken(server, await registerBackendClient(server, { scope }), scope)}`;
  });
  after(() => server?.close());

  it('a caller who could break the glass is told so (suppressed), and only for a patient that exists', async () => {
    const hidden = await call('Patient/p1', 'hap-arts');
    expect(hidden.status).to.equal(404);
    expect(codes(hidden.body)).to.deep.equal(['not-found', 'suppressed']);
    const missing = await call('Patient/nobody', 'hap-arts');
    expect(missing.status).to.equal(404);
    expect(codes(missing.body)).to.deep.equal(['not-found']);
    const other = await call('Patient/p1', 'elders-arts');
    expect(codes(other.body), 'a caller who may not break the glass').to.deep.equal(['not-found']);
  });

  it('is refused without a reason, and outside the configured roles and organisations', async () => {
    expect((await open('hap-arts', reason())).status).to.equal(403);
    expect((await open('hap-arts', reason('   '))).status).to.equal(403);
    const assistant = await open('hap-assistent', reason('spoed'));
    expect(assistant.status).to.equal(403);
    expect(assistant.body.issue[0].diagnostics).to.contain('huisartsenpost');
    expect((await open('elders-arts', reason('spoed'))).status).to.equal(403);
    expect((await open('patient', reason('spoed'))).status).to.equal(403);
    expect((await call('Patient/p1', 'hap-arts')).status, 'nothing was opened').to.equal(404);
  });

  it('needs an app that may read patients at all', async () => {
    const narrow = await personToken(server, 'Practitioner/hap-arts', 'openid fhirUser user/Observation.rs');
    expect((await open(narrow, reason('spoed'))).status).to.equal(403);
  });

  it('with a reason opens the record: audited as BTG with a security alert, and the patient is told', async () => {
    const opened = await open('hap-arts', reason('Bewusteloos binnengebracht, medicatie onbekend'));
    expect(opened.status).to.equal(200);
    const out = Object.fromEntries(opened.body.parameter.map((p: Json) => [p.name, p]));
    const hours = (Date.parse(out.expires.valueInstant) - Date.now()) / 3_600_000;
    expect(hours).to.be.within(11.9, 12);

    expect((await call('Patient/p1', 'hap-arts')).status).to.equal(200);
    expect((await call('Observation/p1-lab', 'hap-arts')).status, "another organisation's data").to.equal(
      200,
    );

    const alert = await call(out.auditEvent.valueReference.reference, 'auditor');
    expect(alert.status).to.equal(200);
    expect(alert.body.type.code).to.equal('110113');
    expect(alert.body.purposeOfEvent[0].coding[0].code).to.equal('BTG');
    expect(JSON.stringify(alert.body.entity)).to.contain('Bewusteloos binnengebracht');

    const reads = await call('AuditEvent?entity=Observation/p1-lab&subtype=read', 'auditor');
    const read = reads.body.entry
      .map((e: Json) => e.resource)
      .find((e: Json) => e.entity?.[0]?.what?.reference === 'Patient/p1');
    expect(read.purposeOfEvent[0].coding[0].code).to.equal('BTG');
    expect(read.entity[0].detail).to.deep.equal([{ type: 'basis', valueString: 'emergency' }]);

    const told = await call(out.communication.valueReference.reference, 'patient');
    expect(told.status).to.equal(200);
    expect(told.body.payload[0].contentString)
      .to.contain('Practitioner/hap-arts')
      .and.to.contain('Organization/hap');
    const log = await call(
      'AuditEvent?patient=Patient/p1&type=http://dicom.nema.org/resources/ontology/DCM|110113',
      'patient',
    );
    expect(log.body.entry.map((e: Json) => e.resource.id)).to.include(
      out.auditEvent.valueReference.reference.split('/')[1],
    );
  });

  describe('when the grant ends', () => {
    let short: TestServer;
    before(async () => {
      short = await startTestServer(
        {},
        {
          config: {
            smart: { devLogin: true, cookieKeys: [] },
            // Three seconds.
            access: {
              dischargeGraceHours: 24,
              administrationRoles: [],
              breakTheGlass: { ...BTG, hours: 3 / 3600 },
            },
          },
        },
      );
      await network(short);
    });
    after(() => short?.close());

    it('access ends with it', async () => {
      const token = await personToken(short, 'Practitioner/hap-arts');
      const get = (path: string) => short.fetch(path, { headers: { authorization: token } });
      const opened = await short.fetch('Patient/p1/$break-the-glass', {
        method: 'POST',
        headers: { authorization: token, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(reason('spoed')),
      });
      expect(opened.status).to.equal(200);
      expect((await get('Observation/p1-lab')).status).to.equal(200);
      await new Promise((r) => setTimeout(r, 3500));
      expect((await get('Observation/p1-lab')).status).to.equal(404);
      expect((await get('Patient/p1')).status).to.equal(404);
    });
  });
});
