import { expect } from 'chai';
import { callAs, putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { personToken } from '../support/smart-flow.ts';

type Json = Record<string, any>;

/**
 * Which practice a patient belongs to is the practice's to say: it decides whose portal they
 * may register for, whose agenda they book and who handles their requests, and it relates the
 * practice to them in the gate. The patient edits their own record, but not that.
 */
describe("a patient's practice is not theirs to change", function () {
  this.timeout(120_000);
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  const record = {
    name: [{ family: 'Mulder', given: ['Henk'] }],
    generalPractitioner: [{ reference: 'Organization/anker' }],
    managingOrganization: { reference: 'Organization/anker' },
  };

  before(async () => {
    server = await startTestServer({}, { config: { smart: { devLogin: true, cookieKeys: [] } } });
    await putResources(server, [
      ['Organization', 'anker', { name: 'Het Anker' }],
      ['Organization', 'brug', { name: 'De Brug' }],
      ['Patient', 'henk', record],
    ]);
    tokens.henk = await personToken(server, 'Patient/henk', 'openid fhirUser patient/*.cruds');
  });
  after(() => server?.close());

  const put = (fields: Json, who = 'henk') =>
    call('Patient/henk', who, {
      method: 'PUT',
      headers: { 'accept-language': 'en' },
      body: JSON.stringify({ resourceType: 'Patient', id: 'henk', ...record, ...fields }),
    });

  it('the patient updates their own record, keeping their practice', async () => {
    const res = await put({ telecom: [{ system: 'email', value: 'henk@thuis.example' }] });
    expect(res.status).to.equal(200);
    expect(res.body.generalPractitioner).to.deep.equal(record.generalPractitioner);
  });

  for (const [what, fields] of [
    ['another GP practice', { generalPractitioner: [{ reference: 'Organization/brug' }] }],
    [
      'a second GP practice',
      { generalPractitioner: [...record.generalPractitioner, { reference: 'Organization/brug' }] },
    ],
    ['another managing organisation', { managingOrganization: { reference: 'Organization/brug' } }],
    ['no practice at all', { generalPractitioner: undefined, managingOrganization: undefined }],
  ] as const) {
    it(`moving the record to ${what} is refused, and nothing changes`, async () => {
      const res = await put(fields);
      expect(res.status).to.equal(403);
      expect(res.body.issue[0].diagnostics).to.contain('changed by the practice you register with');
      const stored = await call('Patient/henk', 'henk');
      expect(stored.body.generalPractitioner).to.deep.equal(record.generalPractitioner);
      expect(stored.body.managingOrganization).to.deep.equal(record.managingOrganization);
    });
  }

  it("the practice's system still moves it", async () => {
    const res = await server.fetch('Patient/henk', {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Patient',
        id: 'henk',
        ...record,
        generalPractitioner: [{ reference: 'Organization/brug' }],
      }),
    });
    expect(res.status).to.equal(200);
  });
});
