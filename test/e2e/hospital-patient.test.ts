import { expect } from 'chai';
import { callAs, putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';
import { personToken } from '../support/smart-flow.ts';

type Json = Record<string, any>;

const UZI_ROLE = 'urn:oid:2.16.840.1.113883.2.4.15.111';
const ORG_TYPE = 'http://nictiz.nl/fhir/NamingSystem/organization-type';
const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
const PORTAL_ROLE = 'https://zorgpoort.nl/fhir/StructureDefinition/portal-role';
const held = (org: string) => ({ meta: { tag: [{ system: CUSTODIAN, code: org }] } });
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
const patient = (id: string, extra: Json = {}) =>
  [
    'Patient',
    id,
    {
      ...held('zgt'),
      identifier: [
        { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999999096' },
        { system: 'https://zgt.example/patientnummer', value: '02448128' },
      ],
      name: [{ family: 'Test', given: ['B.J.J.'] }],
      gender: 'male',
      birthDate: '1955-05-05',
      address: [{ line: ['Haaksbergerstraat 55'], postalCode: '7513 ER', city: 'Enschede' }],
      telecom: [
        { system: 'phone', value: '0612345678', use: 'mobile' },
        { system: 'email', value: 'mijnmst@mst.nl' },
      ],
      managingOrganization: { reference: 'Organization/zgt' },
      ...extra,
    },
  ] as const;
const coverage = (id: string, beneficiary: string, org: string, policy: string) =>
  [
    'Coverage',
    id,
    {
      ...held(org),
      status: 'active',
      subscriberId: policy,
      beneficiary: { reference: `Patient/${beneficiary}` },
      period: { start: '2021-10-26' },
      payor: [{ reference: 'Organization/menzis' }],
    },
  ] as const;
const permit = (patientId: string, actor: string) =>
  [
    'Consent',
    `${patientId}-permit`,
    {
      status: 'active',
      scope: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
      },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${patientId}` },
      policy: [{ uri: 'https://zorgpoort.nl/consent' }],
      provision: { type: 'permit', actor: [{ role: { text: 'huisarts' }, reference: { reference: actor } }] },
    },
  ] as const;

/** A GP out-of-hours post (by organisation type), its GP role, and the test server's own network. */
const BTG = (networks: string[]) => ({
  roles: [`${UZI_ROLE}|01.015`],
  organizations: [`${ORG_TYPE}|HAP`],
  networks,
  hours: 12,
});

async function network(server: TestServer) {
  await putResources(server, [
    ['Organization', 'zgt', { name: 'Ziekenhuisgroep Twente' }],
    ['Organization', 'mst', { name: 'Medisch Spectrum Twente' }],
    [
      'Organization',
      'praktijk',
      { name: 'Huisartspraktijk De Linde', address: [{ line: ['Koningsplein 1'], city: 'Enschede' }] },
    ],
    ['Organization', 'elders', { name: 'Huisartspraktijk Elders' }],
    [
      'Organization',
      'apotheek',
      {
        name: 'Apotheek Koningsplein',
        type: [{ coding: [{ system: ORG_TYPE, code: 'J8', display: 'Openbare apotheek' }] }],
        address: [{ line: ['Koningsplein 1'], postalCode: '7512 KZ', city: 'Enschede' }],
      },
    ],
    [
      'Organization',
      'menzis',
      { name: 'Menzis', identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/uzovi', value: '3332' }] },
    ],
    [
      'Organization',
      'hap',
      { name: 'Huisartsenpost Enschede', type: [{ coding: [{ system: ORG_TYPE, code: 'HAP' }] }] },
    ],
    ['Practitioner', 'gp', { name: [{ family: 'Huisarts', given: ['Anna'], prefix: ['Dr.'] }] }],
    ['Practitioner', 'stranger', { name: [{ family: 'Vreemd' }] }],
    ['Practitioner', 'hap-arts', { name: [{ family: 'Dienst', given: ['Dirk'] }] }],
    role('gp-role', 'gp', 'praktijk', '01.015'),
    role('stranger-role', 'stranger', 'elders', '01.015'),
    role('hap-arts-role', 'hap-arts', 'hap', '01.015'),
    patient('p1', {
      generalPractitioner: [
        { reference: 'PractitionerRole/gp-role' },
        { reference: 'Organization/apotheek' },
      ],
    }),
    patient('p2', { generalPractitioner: [{ reference: 'PractitionerRole/gp-role' }] }),
    patient('p3', {
      // Another person: their own BSN (a login reads every record of its BSN).
      identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999999102' }],
      generalPractitioner: [{ reference: 'PractitionerRole/stranger-role' }],
    }),
    coverage('cov-p1', 'p1', 'zgt', '123456789'),
    coverage('cov-p1-mst', 'p1', 'mst', '987654321'),
    coverage('cov-p2', 'p2', 'zgt', '555555555'),
    permit('p1', 'Practitioner/gp'),
  ]);
}

/**
 * The hospital portal's patient screens (seed 002): patient information, reporting a death, the
 * patient's access log, and the emergency procedure from a post's network. Everything through
 * real HTTP with real tokens; the gate is never switched off.
 */
describe('hospital portal: patient information, death report, access log, emergency procedure', function () {
  this.timeout(120_000);
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  const roles = (entry: Json) =>
    (entry.extension ?? []).filter((x: Json) => x.url === PORTAL_ROLE).map((x: Json) => x.valueCode);
  const byRole = (bundle: Json, r: string) =>
    (bundle.entry ?? []).filter((e: Json) => roles(e).includes(r)).map((e: Json) => e.resource);
  const report = (as: string, parameter: Json[], id = 'p1') =>
    call(`Patient/${id}/$report-death`, as, {
      method: 'POST',
      body: JSON.stringify({ resourceType: 'Parameters', parameter }),
    });
  const rows = (answer: Json) =>
    (answer.parameter ?? [])
      .filter((p: Json) => p.name === 'event')
      .map((p: Json) =>
        Object.fromEntries(
          p.part.map((x: Json) => [
            x.name,
            x.valueString ??
              x.valueBoolean ??
              x.valueInstant ??
              x.valueReference?.reference ??
              x.valueCoding?.code,
          ]),
        ),
      );

  before(async () => {
    server = await startTestServer(
      {},
      {
        config: {
          smart: { devLogin: true, cookieKeys: [] },
          access: {
            dischargeGraceHours: 24,
            administrationRoles: [],
            // The test server's clients come from 127.0.0.1: inside, as an IPv4 network.
            breakTheGlass: BTG(['10.0.0.0/8', '127.0.0.0/8', '2001:db8::/32']),
          },
        },
      },
    );
    await network(server);
    for (const who of ['gp', 'stranger', 'hap-arts'])
      tokens[who] = await personToken(server, `Practitioner/${who}`);
    tokens.patient = await personToken(server, 'Patient/p1', 'openid fhirUser patient/*.rs');
    const scope = 'system/*.cruds';
    const hospital = await registerBackendClient(server, { scope, organizationId: 'zgt' });
    tokens.hospital = `Bearer ${await backendToken(server, hospital, scope)}`;
  });
  after(() => server?.close());

  describe('patient information ($portal-patient)', () => {
    it('a GP with a relationship and a permit sees the patient, GP, pharmacy, no dentist, and the insurance', async () => {
      const res = await call('Patient/p1/$portal-patient', 'gp');
      expect(res.status).to.equal(200);
      expect(res.body.resourceType).to.equal('Bundle');
      expect(res.body.type).to.equal('collection');
      const [p] = byRole(res.body, 'patient');
      expect(p.id).to.equal('p1');
      expect(p.identifier.map((i: Json) => i.value)).to.include.members(['999999096', '02448128']);
      expect(p.birthDate).to.equal('1955-05-05');
      expect(p.address[0].postalCode).to.equal('7513 ER');
      expect(p.telecom.map((t: Json) => t.value)).to.include.members(['0612345678', 'mijnmst@mst.nl']);
      const gp = byRole(res.body, 'general-practitioner').map((r: Json) => `${r.resourceType}/${r.id}`);
      expect(gp).to.deep.equal(['PractitionerRole/gp-role', 'Practitioner/gp', 'Organization/praktijk']);
      const pharmacy = byRole(res.body, 'pharmacy');
      expect(pharmacy.map((r: Json) => r.name)).to.deep.equal(['Apotheek Koningsplein']);
      expect(pharmacy[0].address[0].postalCode).to.equal('7512 KZ');
      expect(byRole(res.body, 'dentist'), 'no dentist known').to.deep.equal([]);
      const insurance = byRole(res.body, 'insurance');
      expect(insurance.map((c: Json) => c.subscriberId).sort()).to.deep.equal(['123456789', '987654321']);
      expect(insurance[0].period.start).to.equal('2021-10-26');
      const [insurer] = byRole(res.body, 'insurer');
      expect(insurer.name).to.equal('Menzis');
      expect(insurer.identifier[0].value).to.equal('3332');
    });

    it('with hospital=, only the Coverage that hospital holds', async () => {
      const res = await call('Patient/p1/$portal-patient?hospital=Organization/zgt', 'gp');
      expect(res.status).to.equal(200);
      expect(byRole(res.body, 'insurance').map((c: Json) => c.id)).to.deep.equal(['cov-p1']);
      expect((await call('Patient/p1/$portal-patient?hospital=not%20an%20id', 'gp')).status).to.equal(400);
    });

    it("a GP without the patient's consent sees the patient but not the hospital's Coverage", async () => {
      const res = await call('Patient/p2/$portal-patient', 'gp');
      expect(res.status).to.equal(200);
      expect(byRole(res.body, 'patient')[0].id).to.equal('p2');
      expect(byRole(res.body, 'general-practitioner').length).to.equal(3);
      expect(byRole(res.body, 'insurance'), 'held by the hospital, no permit').to.deep.equal([]);
      expect((await call('Coverage/cov-p2', 'gp')).status).to.equal(404);
    });

    it('an unrelated GP gets 404, exactly as for a patient that does not exist', async () => {
      const hidden = await call('Patient/p1/$portal-patient', 'stranger');
      const missing = await call('Patient/nobody/$portal-patient', 'stranger');
      expect(hidden.status).to.equal(404);
      expect(missing.status).to.equal(404);
      expect(JSON.stringify(hidden.body).replaceAll('p1', 'X')).to.equal(
        JSON.stringify(missing.body).replaceAll('nobody', 'X'),
      );
    });
  });

  describe('reporting a death ($report-death)', () => {
    const valid = [
      { name: 'date', valueDate: '2026-01-02' },
      { name: 'source', valueString: 'De dochter belde de praktijk' },
    ];

    it('refuses dates that are not dates, in the future or before the birth date (400)', async () => {
      const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
      for (const date of [
        { valueDate: 'gisteren' },
        { valueDate: '2021-02-30' },
        { valueDate: tomorrow },
        { valueDateTime: '2999-01-01T10:00:00+01:00' },
        { valueDateTime: '2026-01-02T10:00' },
        { valueDate: '1950-01-01' },
      ]) {
        const res = await report('gp', [{ name: 'date', ...date }, valid[1]!]);
        expect(res.status, JSON.stringify(date)).to.equal(400);
      }
      expect((await report('gp', [valid[0]!])).status, 'no source').to.equal(400);
      expect((await report('gp', [valid[1]!])).status, 'no date').to.equal(400);
    });

    it('is refused to a patient or a system client (403), and to an unrelated GP as a missing patient (404)', async () => {
      const asPatient = await report('patient', valid);
      expect(asPatient.status).to.equal(403);
      expect(asPatient.body.issue[0].diagnostics).to.contain('zorgverlener die de patiënt kent');
      expect((await report('hospital', valid)).status).to.equal(403);
      expect((await report('stranger', valid)).status).to.equal(404);
    });

    it('goes only to a hospital that holds the record, relates nobody, and needs an app that may create', async () => {
      const valid = [
        { name: 'date', valueDate: '2026-11-01' },
        { name: 'source', valueString: 'Familie' },
      ];
      // Another practice holds nothing of p1: naming it would give its staff the patient.
      const elsewhere = await report('gp', [
        ...valid,
        { name: 'hospital', valueReference: { reference: 'Organization/elders' } },
      ]);
      expect(elsewhere.status).to.equal(422);
      expect((await call('Patient/p1', 'stranger')).status).to.equal(404);
      const twice = await report('gp', [...valid, { name: 'source', valueString: 'Buren' }]);
      expect(twice.status).to.equal(400);
      const readOnly = `Bearer ${(await personToken(server, 'Practitioner/gp', 'openid fhirUser user/Patient.rs')).replace(/^Bearer /, '')}`;
      const res = await call('Patient/p1/$report-death', readOnly, {
        method: 'POST',
        body: JSON.stringify({ resourceType: 'Parameters', parameter: valid }),
      });
      expect(res.status).to.equal(403);
    });

    it('creates a Task to the hospital and a provisional Flag, leaving Patient.deceased as it is; a second report is 409', async () => {
      const res = await report('gp', valid);
      expect(res.status).to.equal(201);
      const task = res.body;
      expect(task.resourceType).to.equal('Task');
      expect(task).to.deep.include({ status: 'requested', intent: 'proposal' });
      expect(task.code.text).to.equal('Melding overlijden / Death report');
      expect(task.for.reference).to.equal('Patient/p1');
      expect(task.owner.reference).to.equal('Organization/zgt');
      expect(task.requester.reference).to.equal('PractitionerRole/gp-role');
      expect(task.input[0].valueDate).to.equal('2026-01-02');
      expect(task.input[1].valueString).to.equal('De dochter belde de praktijk');

      // The hospital's system sees the Task as its owner, and the mark.
      const seen = await call(`Task/${task.id}`, 'hospital');
      expect(seen.status).to.equal(200);
      const flagRef = task.input[2].valueReference.reference;
      const flag = await call(flagRef, 'hospital');
      expect(flag.status).to.equal(200);
      expect(flag.body).to.deep.include({ status: 'active' });
      expect(flag.body.period.start).to.equal('2026-01-02');
      expect(flag.body.author.reference).to.equal('PractitionerRole/gp-role');
      const p1 = await call('Patient/p1', 'hospital');
      expect(p1.body.deceasedBoolean).to.equal(undefined);
      expect(p1.body.deceasedDateTime).to.equal(undefined);

      const again = await report('gp', [
        { name: 'date', valueDateTime: '2026-01-02T08:00:00+01:00' },
        valid[1]!,
      ]);
      expect(again.status).to.equal(409);
      // Not naming the Task: the caller may not see that report or who made it.
      expect(again.body.issue[0].diagnostics).not.to.contain(`Task/${task.id}`);

      // The change is in the access log as the GP's.
      const auditor = await auditorToken(server);
      const logged = await call(`AuditEvent?entity=Task/${task.id}`, auditor);
      const create = (logged.body.entry ?? [])
        .map((e: Json) => e.resource)
        .find((e: Json) => e.action === 'C');
      expect(create, 'the create of the Task').to.not.equal(undefined);
      expect(create.agent[0].who.reference).to.equal('Practitioner/gp');

      // Once the hospital has completed it, a new report may be made.
      expect(
        (
          await call(`Task/${task.id}`, 'hospital', {
            method: 'PUT',
            body: JSON.stringify({ ...seen.body, status: 'completed' }),
          })
        ).status,
      ).to.equal(200);
      const third = await report('gp', valid);
      expect(third.status).to.equal(201);
    });
  });

  describe("the patient's access log ($access-log)", () => {
    it('the patient reads who looked: name, function name, organisation, what, purpose; break-the-glass marked', async () => {
      expect((await call('Patient/p1', 'gp')).status).to.equal(200);
      // The post's GP: no relationship with p1, from the post's network.
      const hidden = await call('Patient/p1', 'hap-arts');
      expect(hidden.status).to.equal(404);
      expect(hidden.body.issue.map((i: Json) => i.code)).to.deep.equal(['not-found', 'suppressed']);
      expect(hidden.body.issue[1].diagnostics).to.contain('Waarom wilt u dit dossier bekijken?');
      const opened = await call('Patient/p1/$break-the-glass', 'hap-arts', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Parameters',
          parameter: [{ name: 'reason', valueString: 'Spoed, avond' }],
        }),
      });
      expect(opened.status).to.equal(200);
      expect((await call('Patient/p1', 'hap-arts')).status).to.equal(200);

      const log = await call('Patient/p1/$access-log', 'patient', { headers: { 'accept-language': 'nl' } });
      expect(log.status).to.equal(200);
      const events = rows(log.body);
      const byGp = events.find(
        (r: Json) => r.whoReference === 'Practitioner/gp' && r.what === 'ingezien: Patient',
      );
      expect(byGp, JSON.stringify(events.slice(0, 5))).to.deep.include({
        who: 'Dr. Anna Huisarts',
        function: 'Huisarts',
        organization: 'Huisartspraktijk De Linde',
        purpose: 'TREAT',
        emergency: false,
      });
      const byPost = events.filter((r: Json) => r.whoReference === 'Practitioner/hap-arts');
      expect(byPost.some((r: Json) => r.emergency && r.what === 'ingezien: Patient')).to.equal(true);
      expect(
        byPost.every((r: Json) => r.organization === 'Huisartsenpost Enschede' && r.function === 'Huisarts'),
      ).to.equal(true);
      expect(
        events.some((r: Json) => r.whoReference === 'Patient/p1'),
        'not their own requests',
      ).to.equal(false);
      const table = log.body.parameter.find((p: Json) => p.name === 'table').valueString;
      expect(table).to.contain('<th>Functie</th>').and.contain('Huisartspraktijk De Linde');

      // The names come from the event's references and role codes, not from words in the event.
      const event = await call(byGp.auditEvent, 'patient');
      expect(event.body.agent[0].role[0].coding[0]).to.include({ code: '01.015' });
      expect(event.body.agent[0].extension[0].valueReference.reference).to.equal('Organization/praktijk');
    });

    it('shows the directory’s names, not the words of an AuditEvent a system submitted', async () => {
      const forged = {
        resourceType: 'AuditEvent',
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
        subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
        recorded: new Date().toISOString(),
        agent: [
          {
            requestor: true,
            who: { reference: 'Practitioner/stranger', display: 'Dr. Verzonnen (psychiater)' },
            role: [{ coding: [{ system: UZI_ROLE, code: '01.015', display: 'Psychiater' }] }],
          },
        ],
        source: { observer: { display: 'elders' } },
        entity: [
          {
            what: { reference: 'Patient/p1' },
            role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' },
          },
        ],
      };
      const posted = await call('AuditEvent', 'hospital', { method: 'POST', body: JSON.stringify(forged) });
      expect(posted.status, JSON.stringify(posted.body)).to.equal(201);
      const log = await call('Patient/p1/$access-log', 'patient');
      const row = rows(log.body).find((r: Json) => r.whoReference === 'Practitioner/stranger');
      expect(row).to.deep.include({ who: 'Vreemd', function: 'Huisarts' });
      expect(JSON.stringify(log.body)).not.to.contain('Verzonnen').and.not.to.contain('Psychiater');
    });

    it('from/to limit the period (the export of a period)', async () => {
      const all = rows((await call('Patient/p1/$access-log', 'patient')).body);
      expect(all.length).to.be.greaterThan(2);
      const today = new Date().toISOString().slice(0, 10);
      expect(
        rows((await call(`Patient/p1/$access-log?from=${today}`, 'patient')).body).length,
      ).to.be.greaterThan(2);
      expect(rows((await call('Patient/p1/$access-log?to=2000-01-01', 'patient')).body)).to.deep.equal([]);
      const since = all[1].when;
      const recent = rows(
        (await call(`Patient/p1/$access-log?from=${encodeURIComponent(since)}`, 'patient')).body,
      );
      expect(recent.every((r: Json) => r.when >= since)).to.equal(true);
      expect(recent.length).to.be.lessThan(all.length + 2);
      expect((await call('Patient/p1/$access-log?from=gisteren', 'patient')).status).to.equal(400);
    });

    it('a caregiver cannot read it: 403 when they see the patient, 404 as a missing patient when not', async () => {
      expect((await call('Patient/p1/$access-log', 'gp')).status).to.equal(403);
      const hidden = await call('Patient/p3/$access-log', 'gp');
      const missing = await call('Patient/nobody/$access-log', 'gp');
      expect(hidden.status).to.equal(404);
      expect(missing.status).to.equal(404);
      expect((await call('Patient/p3/$access-log', 'patient')).status, "another patient's log").to.equal(404);
      expect((await call('Patient/p1/$access-log', 'hospital')).status, 'a hospital system').to.equal(403);
    });

    it('an auditor reads any patient’s', async () => {
      const res = await call('Patient/p1/$access-log', await auditorToken(server));
      expect(res.status).to.equal(200);
      expect(rows(res.body).length).to.be.greaterThan(2);
    });
  });

  describe('the emergency procedure from a network that is not configured', () => {
    let other: TestServer;
    const callOther = callAs(() => other, tokens);
    before(async () => {
      other = await startTestServer(
        {},
        {
          config: {
            smart: { devLogin: true, cookieKeys: [] },
            access: {
              dischargeGraceHours: 24,
              administrationRoles: [],
              breakTheGlass: BTG(['10.0.0.0/8', 'fd00::/8']),
            },
          },
        },
      );
      await network(other);
      tokens['other-hap-arts'] = await personToken(other, 'Practitioner/hap-arts');
    });
    after(() => other?.close());

    it('is refused (403) and not offered (no suppressed hint) to the same GP at the same post', async () => {
      const hidden = await callOther('Patient/p1', 'other-hap-arts');
      expect(hidden.status).to.equal(404);
      expect(hidden.body.issue.map((i: Json) => i.code)).to.deep.equal(['not-found']);
      const refused = await callOther('Patient/p1/$break-the-glass', 'other-hap-arts', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Parameters',
          parameter: [{ name: 'reason', valueString: 'Spoed' }],
        }),
      });
      expect(refused.status).to.equal(403);
      expect(refused.body.issue[0].diagnostics).to.contain('network');
      expect((await callOther('Patient/p1', 'other-hap-arts')).status).to.equal(404);
    });
  });
});

async function auditorToken(server: TestServer): Promise<string> {
  const scope = 'system/AuditEvent.rs';
  return `Bearer ${await backendToken(server, await registerBackendClient(server, { scope }), scope)}`;
}
