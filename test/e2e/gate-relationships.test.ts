import { expect } from 'chai';
import { COLLECTIVE_ROLE_SYSTEM } from '../../server/config.ts';
import { startTestServer, putResources, type TestServer, callAs } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';
import {
  authorizeUrl,
  browse,
  CookieJar,
  formAction,
  personToken,
  pkce,
  REDIRECT_URI,
  registerApp,
} from '../support/smart-flow.ts';

type Json = Record<string, any>;

const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
const SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
const CATEGORY = 'https://zorgpoort.nl/fhir/CodeSystem/data-category';
const HOUR = 3_600_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const held = (org: string) => ({ meta: { tag: [{ system: CUSTODIAN, code: org }] } });
const lab = (id: string, patient: string, org: string) =>
  [
    'Observation',
    id,
    {
      ...held(org),
      status: 'final',
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
          ],
        },
      ],
      code: { text: 'Hb' },
      subject: { reference: `Patient/${patient}` },
    },
  ] as const;
const role = (
  id: string,
  practitioner: string,
  org: string,
  code = ['urn:oid:2.16.840.1.113883.2.4.15.111', '01.015'],
) =>
  [
    'PractitionerRole',
    id,
    {
      practitioner: { reference: `Practitioner/${practitioner}` },
      organization: { reference: `Organization/${org}` },
      code: [{ coding: [{ system: code[0], code: code[1] }] }],
    },
  ] as const;
const consent = (patient: string, provision: Json, status = 'active') => ({
  resourceType: 'Consent',
  status,
  scope: { coding: [{ system: SCOPE, code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { reference: `Patient/${patient}` },
  policy: [{ uri: 'https://zorgpoort.nl/consent' }],
  provision,
});

/**
 * The gate: a caregiver or care system sees a patient's data through a treatment relationship
 * ∧ consent, and a change to either holds from the next request on. The network is loaded by the
 * harness's trusted client; every assertion is made as the caregiver, through real tokens.
 */
describe('the gate: treatment relationship ∧ consent', function () {
  this.timeout(120_000);
  let server: TestServer;
  const tokens: Record<string, string> = {};

  const call = callAs(() => server, tokens);
  const ids = (bundle: Json) =>
    (bundle.entry ?? []).map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`);
  const put = (path: string, body: Json) =>
    server.fetch(path, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: path.split('/')[0], id: path.split('/')[1], ...body }),
    });
  /** The answer with the id taken out, so a hidden and a missing id can be compared. */
  const shape = (r: { status: number; body: Json }, id: string) => ({
    status: r.status,
    body: JSON.parse(JSON.stringify(r.body ?? {}).replaceAll(id, '<id>')),
  });

  before(async () => {
    server = await startTestServer(
      {},
      {
        config: {
          smart: { devLogin: true, cookieKeys: [] },
          access: {
            dischargeGraceHours: 1,
            administrationRoles: [`${COLLECTIVE_ROLE_SYSTEM}|administrator`],
            breakTheGlass: { roles: [], organizations: [], hours: 12 },
          },
        },
      },
    );
    await putResources(server, [
      ['Organization', 'praktijk', { name: 'Huisartsenpraktijk' }],
      ['Organization', 'ziekenhuis', { name: 'Ziekenhuis' }],
      ['Organization', 'elders', { name: 'Elders' }],
      ['Practitioner', 'gp', { name: [{ family: 'Huisarts' }] }],
      ['Practitioner', 'internist', { name: [{ family: 'Internist' }] }],
      ['Practitioner', 'nurse', { name: [{ family: 'Verpleegkundige' }] }],
      ['Practitioner', 'stranger', { name: [{ family: 'Vreemde' }] }],
      ['Practitioner', 'admin', { name: [{ family: 'Beheer' }] }],
      role('gp-role', 'gp', 'praktijk'),
      role('internist-role', 'internist', 'ziekenhuis', ['urn:oid:2.16.840.1.113883.2.4.15.111', '01.018']),
      role('nurse-role', 'nurse', 'elders', ['urn:oid:2.16.840.1.113883.2.4.15.111', '30.000']),
      role('stranger-role', 'stranger', 'elders'),
      role('admin-role', 'admin', 'ziekenhuis', [COLLECTIVE_ROLE_SYSTEM, 'administrator']),
      // p1: the GP's patient; the practice and the hospital both hold data.
      ['Patient', 'p1', { ...held('praktijk'), generalPractitioner: [{ reference: 'Practitioner/gp' }] }],
      lab('p1-gp-lab', 'p1', 'praktijk'),
      lab('p1-hospital-lab', 'p1', 'ziekenhuis'),
      [
        'MedicationRequest',
        'p1-hospital-med',
        {
          ...held('ziekenhuis'),
          status: 'active',
          intent: 'order',
          medicationCodeableConcept: { text: 'metformine' },
          subject: { reference: 'Patient/p1' },
        },
      ],
      // p2: admitted to the hospital now.
      ['Patient', 'p2', held('ziekenhuis')],
      [
        'Encounter',
        'p2-admission',
        {
          ...held('ziekenhuis'),
          status: 'in-progress',
          class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
          subject: { reference: 'Patient/p2' },
          serviceProvider: { reference: 'Organization/ziekenhuis' },
          period: { start: iso(-2 * HOUR) },
        },
      ],
      lab('p2-lab', 'p2', 'ziekenhuis'),
      // p3: a care plan whose team holds a caregiver group with the nurse in it.
      ['Patient', 'p3', held('elders')],
      [
        'CareTeam',
        'group',
        {
          status: 'active',
          name: 'Wijkteam',
          participant: [{ member: { reference: 'Practitioner/nurse' } }],
        },
      ],
      [
        'CareTeam',
        'p3-team',
        {
          status: 'active',
          subject: { reference: 'Patient/p3' },
          participant: [{ member: { reference: 'CareTeam/group' } }],
        },
      ],
      [
        'CarePlan',
        'p3-plan',
        {
          ...held('elders'),
          status: 'active',
          intent: 'plan',
          subject: { reference: 'Patient/p3' },
          careTeam: [{ reference: 'CareTeam/p3-team' }],
        },
      ],
      lab('p3-lab', 'p3', 'elders'),
    ]);
    for (const who of ['gp', 'internist', 'nurse', 'stranger', 'admin']) {
      tokens[who] = await personToken(server, `Practitioner/${who}`);
    }
    const scope = 'system/*.cruds';
    const his = await registerBackendClient(server, { scope, organizationId: 'ziekenhuis' });
    tokens.his = `Bearer ${await backendToken(server, his, scope)}`;
  });
  after(() => server?.close());

  describe('a GP through generalPractitioner', () => {
    it("reads the patient and the practice's own data", async () => {
      expect((await call('Patient/p1', 'gp')).status).to.equal(200);
      expect((await call('Observation/p1-gp-lab', 'gp')).status).to.equal(200);
    });

    it("does not see the hospital's data without the patient's permit: 404, as for a missing id", async () => {
      const hidden = await call('Observation/p1-hospital-lab', 'gp');
      const missing = await call('Observation/no-such-lab', 'gp');
      expect(shape(hidden, 'p1-hospital-lab')).to.deep.equal(shape(missing, 'no-such-lab'));
      expect(hidden.status).to.equal(404);
      const search = await call('Observation?subject=Patient/p1&_total=accurate', 'gp');
      expect(ids(search.body)).to.deep.equal(['Observation/p1-gp-lab']);
      expect(search.body.total).to.equal(1);
      const count = await call('Observation?_summary=count', 'gp');
      expect(count.body.total).to.equal(1);
    });

    it('sees no other patient, in searches, includes, _has and chains', async () => {
      expect(ids((await call('Patient', 'gp')).body)).to.deep.equal(['Patient/p1']);
      const everything = await call(
        'Observation?_include=Observation:subject&_revinclude=Encounter:subject',
        'gp',
      );
      expect(ids(everything.body).sort()).to.deep.equal(['Observation/p1-gp-lab', 'Patient/p1']);
      const has = await call('Organization?_has:Encounter:service-provider:subject=Patient/p2', 'gp');
      expect(ids(has.body)).to.deep.equal([]);
      const chain = await call('Observation?subject:Patient._id=p2', 'gp');
      expect(ids(chain.body)).to.deep.equal([]);
      expect((await call('Patient/p2/$everything', 'gp')).status).to.equal(404);
      expect((await call('Observation/p2-lab/_history', 'gp')).status).to.equal(404);
    });

    it("sees the hospital's data once the patient permits it, and no longer once the consent is revoked", async () => {
      const permit = consent('p1', {
        type: 'permit',
        actor: [{ role: { text: 'huisarts' }, reference: { reference: 'Practitioner/gp' } }],
      });
      expect((await put('Consent/p1-permit-gp', permit)).status).to.equal(201);
      expect((await call('Observation/p1-hospital-lab', 'gp')).status).to.equal(200);
      expect((await call('MedicationRequest/p1-hospital-med', 'gp')).status).to.equal(200);
      expect((await put('Consent/p1-permit-gp', { ...permit, status: 'inactive' })).status).to.equal(200);
      expect((await call('Observation/p1-hospital-lab', 'gp')).status).to.equal(404);
    });

    it('a deny naming a data category beats a permit that names the same actor without one', async () => {
      const gp = { role: { text: 'huisarts' }, reference: { reference: 'Practitioner/gp' } };
      const rules = consent('p1', {
        type: 'permit',
        actor: [gp],
        provision: [
          { type: 'deny', actor: [gp], code: [{ coding: [{ system: CATEGORY, code: 'medication' }] }] },
        ],
      });
      expect((await put('Consent/p1-rules', rules)).status).to.equal(201);
      try {
        expect((await call('Observation/p1-hospital-lab', 'gp')).status).to.equal(200);
        expect((await call('MedicationRequest/p1-hospital-med', 'gp')).status).to.equal(404);
        const meds = await call('MedicationRequest?subject=Patient/p1', 'gp');
        expect(ids(meds.body)).to.deep.equal([]);
      } finally {
        await server.fetch('Consent/p1-rules', { method: 'DELETE' });
      }
    });

    it("a general deny of a category holds even for the practice's own data; a permit naming the actor beats it", async () => {
      const deny = consent('p1', {
        type: 'deny',
        code: [{ coding: [{ system: CATEGORY, code: 'laboratory' }] }],
      });
      expect((await put('Consent/p1-deny-lab', deny)).status).to.equal(201);
      try {
        expect((await call('Observation/p1-gp-lab', 'gp')).status).to.equal(404);
        expect((await call('Patient/p1', 'gp')).status, 'the rest of the record').to.equal(200);
        const gp = { role: { text: 'huisarts' }, reference: { reference: 'Practitioner/gp' } };
        expect(
          (await put('Consent/p1-permit-gp', consent('p1', { type: 'permit', actor: [gp] }))).status,
        ).to.equal(200);
        expect((await call('Observation/p1-gp-lab', 'gp')).status).to.equal(200);
      } finally {
        await server.fetch('Consent/p1-deny-lab', { method: 'DELETE' });
        await server.fetch('Consent/p1-permit-gp', { method: 'DELETE' });
      }
    });
  });

  describe('the SMART patient picker', () => {
    it("lists only the caregiver's own patients, and refuses another one as if it did not exist", async () => {
      const scope = 'launch/patient openid fhirUser patient/*.rs';
      const app = await registerApp(server, { scope });
      const pick = async (patient: string) => {
        const jar = new CookieJar();
        const { challenge } = pkce();
        const start = await browse(
          jar,
          authorizeUrl(server, app, { scope, code_challenge: challenge, code_challenge_method: 'S256' }),
          {
            stopAt: REDIRECT_URI,
          },
        );
        const consent = await browse(jar, formAction(server, start.text, '/dev-login'), {
          method: 'POST',
          form: { person: 'Practitioner/gp' },
          stopAt: REDIRECT_URI,
        });
        const options = [...consent.text.matchAll(/option value="([^"]+)"/g)].map((m) => m[1]);
        const chosen = await browse(jar, formAction(server, consent.text, '/confirm'), {
          method: 'POST',
          form: { patient_id: patient },
          stopAt: REDIRECT_URI,
        });
        return { options, chosen };
      };
      const mine = await pick('p1');
      expect(mine.options).to.deep.equal(['p1']);
      // Showing the list disclosed p1's name to the GP: logged as a search, for p1.
      const auditScope = 'system/AuditEvent.rs';
      const auditor = `Bearer ${await backendToken(server, await registerBackendClient(server, { scope: auditScope }), auditScope)}`;
      const logged = await call('AuditEvent?subtype=search-type&_count=1000', auditor);
      const events = (logged.body.entry ?? []).map((e: Json) => e.resource);
      const query = (e: Json) =>
        e.entity
          ?.filter((x: Json) => x.query)
          .map((x: Json) => Buffer.from(x.query, 'base64').toString())
          .join('');
      // One event with the query for the caregiver and auditors, one naming only p1 for p1.
      const withQuery = events.filter((e: Json) => query(e)?.includes('SMART patient picker'));
      expect(withQuery.length).to.be.greaterThan(0);
      expect(JSON.stringify(withQuery[0].agent)).to.contain('Practitioner/gp');
      const forP1 = events.filter(
        (e: Json) =>
          Math.abs(Date.parse(e.recorded) - Date.parse(withQuery[0].recorded)) < 1000 &&
          e.entity?.[0]?.what?.reference === 'Patient/p1',
      );
      expect(forP1.map((e: Json) => e.entity[0].detail)).to.deep.include([
        { type: 'basis', valueString: 'relationship:general-practitioner' },
      ]);
      expect(mine.chosen.url).to.match(/^http:\/\/127\.0\.0\.1:1\/callback\?code=/);
      const other = await pick('p2');
      const missing = await pick('nobody');
      expect(other.chosen.res.status).to.equal(400);
      expect(other.chosen.text.replaceAll('p2', '<id>')).to.equal(
        missing.chosen.text.replaceAll('nobody', '<id>'),
      );
    });
  });

  describe('a caregiver in a group of a care plan', () => {
    it('sees the patient through the nested group, and not after leaving the group', async () => {
      expect((await call('Patient/p3', 'nurse')).status).to.equal(200);
      expect((await call('Observation/p3-lab', 'nurse')).status).to.equal(200);
      expect((await put('CareTeam/group', { status: 'active', name: 'Wijkteam' })).status).to.equal(200);
      expect((await call('Observation/p3-lab', 'nurse')).status).to.equal(404);
      expect((await call('Patient/p3', 'nurse')).status).to.equal(404);
      expect(
        (
          await put('CareTeam/group', {
            status: 'active',
            name: 'Wijkteam',
            participant: [{ member: { reference: 'Practitioner/nurse' } }],
          })
        ).status,
      ).to.equal(200);
      expect((await call('Patient/p3', 'nurse')).status).to.equal(200);
    });

    it('and not once the care plan has ended', async () => {
      const plan = (status: string) => ({
        ...held('elders'),
        status,
        intent: 'plan',
        subject: { reference: 'Patient/p3' },
        careTeam: [{ reference: 'CareTeam/p3-team' }],
      });
      expect((await put('CarePlan/p3-plan', plan('completed'))).status).to.equal(200);
      expect((await call('Patient/p3', 'nurse')).status).to.equal(404);
      expect((await put('CarePlan/p3-plan', plan('active'))).status).to.equal(200);
      expect((await call('Patient/p3', 'nurse')).status).to.equal(200);
    });
  });

  describe('the hospital through an Encounter', () => {
    it('its caregivers see an admitted patient; after discharge only within the grace period', async () => {
      expect((await call('Observation/p2-lab', 'internist')).status).to.equal(200);
      const admission = (end: string) => ({
        ...held('ziekenhuis'),
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
        subject: { reference: 'Patient/p2' },
        serviceProvider: { reference: 'Organization/ziekenhuis' },
        period: { start: iso(-5 * HOUR), end },
      });
      expect((await put('Encounter/p2-admission', admission(iso(-0.5 * HOUR)))).status).to.equal(200);
      expect((await call('Observation/p2-lab', 'internist')).status, 'discharged 30 minutes ago').to.equal(
        200,
      );
      expect((await put('Encounter/p2-admission', admission(iso(-2 * HOUR)))).status).to.equal(200);
      expect((await call('Observation/p2-lab', 'internist')).status, 'discharged 2 hours ago').to.equal(404);
      expect((await call('Patient/p2', 'his')).status, 'the hospital system too').to.equal(404);
      expect(
        (
          await put('Encounter/p2-admission', {
            ...admission(iso(-2 * HOUR)),
            status: 'in-progress',
            period: { start: iso(-5 * HOUR) },
          })
        ).status,
      ).to.equal(200);
      expect((await call('Observation/p2-lab', 'internist')).status).to.equal(200);
    });

    it("the hospital's system client sees the hospital's patients only", async () => {
      expect((await call('Patient/p2', 'his')).status).to.equal(200);
      expect((await call('Patient/p1', 'his')).status).to.equal(404);
      expect(ids((await call('Patient', 'his')).body)).to.deep.equal(['Patient/p2']);
    });

    it('a system client registers a patient of its own organisation and then sees it', async () => {
      const created = await call('Patient', 'his', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Patient',
          managingOrganization: { reference: 'Organization/ziekenhuis' },
        }),
      });
      expect(created.status).to.equal(201);
      expect(created.body.meta.tag).to.deep.include({ system: CUSTODIAN, code: 'ziekenhuis' });
      expect((await call(`Patient/${created.body.id}`, 'his')).status).to.equal(200);
      const unrelated = await call('Patient', 'his', {
        method: 'POST',
        body: JSON.stringify({ resourceType: 'Patient' }),
      });
      expect(unrelated.status).to.equal(403);
    });
  });

  describe('a referral as a Task', () => {
    const referral = (status: string) => ({
      ...held('ziekenhuis'),
      status,
      intent: 'order',
      for: { reference: 'Patient/p4' },
      owner: { reference: 'Organization/ziekenhuis' },
      requester: { reference: 'Organization/praktijk' },
    });
    it("its owner's caregivers see it while it is open, the practice's data only with a permit, nobody else anything", async () => {
      await putResources(server, [
        ['Patient', 'p4', held('praktijk')],
        lab('p4-gp-lab', 'p4', 'praktijk'),
        ['Task', 'p4-referral', referral('requested')],
      ]);
      expect((await call('Task/p4-referral', 'internist')).status).to.equal(200);
      expect(ids((await call('Task?patient=Patient/p4', 'internist')).body)).to.deep.equal([
        'Task/p4-referral',
      ]);
      expect((await call('Observation/p4-gp-lab', 'internist')).status, "the practice's data").to.equal(404);
      expect((await call('Task/p4-referral', 'stranger')).status).to.equal(404);
      expect(ids((await call('Task', 'stranger')).body)).to.deep.equal([]);
      expect((await put('Task/p4-referral', referral('completed'))).status).to.equal(200);
      expect((await call('Task/p4-referral', 'internist')).status, 'closed').to.equal(404);
    });

    it("a care plan's action relates nobody: its owner is on the plan, or was removed from it", async () => {
      const action = (intent: string, extra: Json = {}) => ({
        ...held('elders'),
        status: 'requested',
        intent,
        for: { reference: 'Patient/p4' },
        owner: { reference: 'Organization/elders' },
        ...extra,
      });
      await putResources(server, [['Task', 'p4-action', action('plan')]]);
      expect((await call('Task/p4-action', 'stranger')).status, 'intent plan').to.equal(404);
      expect(
        (await put('Task/p4-action', action('order', { basedOn: [{ reference: 'CarePlan/p3-plan' }] })))
          .status,
      ).to.equal(200);
      expect((await call('Task/p4-action', 'stranger')).status, 'based on a care plan').to.equal(404);
      // The same Task as an order is a referral: its owner's caregivers see it.
      expect((await put('Task/p4-action', action('order'))).status).to.equal(200);
      expect((await call('Task/p4-action', 'stranger')).status, 'a referral').to.equal(200);
    });
  });

  describe('what no write can do (security review)', () => {
    it("a caregiver's own login cannot make itself related by writing an Encounter or a referral naming itself", async () => {
      expect((await call('Patient/p2', 'stranger')).status).to.equal(404);
      const encounter = await call('Encounter', 'stranger', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Encounter',
          status: 'in-progress',
          class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
          subject: { reference: 'Patient/p2' },
          participant: [{ individual: { reference: 'Practitioner/stranger' } }],
        }),
      });
      expect(encounter.status).to.equal(403);
      const referral = await call('ServiceRequest', 'stranger', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'ServiceRequest',
          status: 'active',
          intent: 'order',
          subject: { reference: 'Patient/p2' },
          performer: [{ reference: 'Practitioner/stranger' }],
        }),
      });
      expect(referral.status).to.equal(403);
      expect((await call('Patient/p2', 'stranger')).status, 'still hidden').to.equal(404);
    });

    it("a row naming its patient by another server's URL or by identifier only is nobody's", async () => {
      await putResources(server, [lab('abs-lab', 'p1', 'praktijk'), lab('ident-lab', 'p1', 'praktijk')]);
      await put('Observation/abs-lab', {
        ...lab('x', 'p1', 'praktijk')[2],
        subject: { reference: 'https://elders.example/fhir/Patient/p1' },
      });
      await put('Observation/ident-lab', {
        ...lab('x', 'p1', 'praktijk')[2],
        subject: {
          type: 'Patient',
          identifier: { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999990007' },
        },
      });
      for (const who of ['gp', 'his', 'stranger']) {
        expect((await call('Observation/abs-lab', who)).status, who).to.equal(404);
        expect((await call('Observation/ident-lab', who)).status, who).to.equal(404);
      }
    });

    it("a caregiver cannot record the patient's privacy consent (not even for another server's URL)", async () => {
      for (const patient of ['Patient/p1', 'https://elders.example/fhir/Patient/p1']) {
        const permit = {
          ...consent('p1', {
            type: 'permit',
            actor: [{ role: { text: 'x' }, reference: { reference: 'Practitioner/gp' } }],
          }),
          patient: { reference: patient },
        };
        const res = await call('Consent', 'gp', { method: 'POST', body: JSON.stringify(permit) });
        expect(res.status, patient).to.equal(403);
      }
      expect((await call('Observation/p1-hospital-lab', 'gp')).status).to.equal(404);
    });

    it("no one joins another organisation's caregiver group", async () => {
      const join = await call('CareTeam/group', 'gp', {
        method: 'PUT',
        body: JSON.stringify({
          resourceType: 'CareTeam',
          id: 'group',
          status: 'active',
          participant: [
            { member: { reference: 'Practitioner/nurse' } },
            { member: { reference: 'Practitioner/gp' } },
          ],
        }),
      });
      expect(join.status).to.equal(403);
      expect((await call('Observation/p3-lab', 'gp')).status).to.equal(404);
    });

    it('a deny about someone the server cannot identify is not beaten by a permit naming the caller', async () => {
      const gp = { role: { text: 'huisarts' }, reference: { reference: 'Practitioner/gp' } };
      const neighbour = { role: { text: 'buurman' }, reference: { display: 'de buurman' } };
      expect((await call('Patient/p1', 'gp')).status).to.equal(200);
      const rules = consent('p1', {
        type: 'permit',
        actor: [gp],
        provision: [{ type: 'deny', actor: [neighbour] }],
      });
      expect((await put('Consent/p1-unknown', rules)).status).to.equal(201);
      try {
        // The deny could be about anyone, the GP included: it fails closed, as specific as the permit.
        expect((await call('Patient/p1', 'gp')).status).to.equal(404);
      } finally {
        await server.fetch('Consent/p1-unknown', { method: 'DELETE' });
      }
      expect((await call('Patient/p1', 'gp')).status).to.equal(200);
    });

    it("a malformed label in a patient's consent fails nobody's requests", async () => {
      const odd = consent('p1', { type: 'deny', securityLabel: [{ system: 'urn:x', code: 'a&foo=1' }] });
      expect((await put('Consent/p1-odd', odd)).status).to.equal(201);
      try {
        expect((await call('Practitioner/gp', 'gp')).status).to.equal(200);
        expect((await call('Patient/p1', 'gp')).status).to.equal(200);
      } finally {
        await server.fetch('Consent/p1-odd', { method: 'DELETE' });
      }
    });
  });

  describe('without a relationship', () => {
    it('a caregiver sees no patient: hidden answers as missing, searches are empty', async () => {
      const hidden = await call('Patient/p1', 'stranger');
      const missing = await call('Patient/nobody', 'stranger');
      expect(shape(hidden, 'p1')).to.deep.equal(shape(missing, 'nobody'));
      expect(ids((await call('Observation?_total=accurate', 'stranger')).body)).to.deep.equal([]);
      expect((await call('Practitioner/gp', 'stranger')).status, 'the directory is shared').to.equal(200);
    });

    it('a write naming a patient the caller may not see is refused, whether or not it exists', async () => {
      const write = (patient: string) =>
        call('Observation', 'stranger', {
          method: 'POST',
          body: JSON.stringify({ resourceType: 'Observation', ...lab('x', patient, 'elders')[2] }),
        });
      const existing = await write('p1');
      const missing = await write('nobody');
      expect(existing.status).to.equal(403);
      expect(missing.status).to.equal(403);
      expect(existing.body.issue[0].code).to.equal(missing.body.issue[0].code);
    });

    it("cannot take the custodian of another organisation's data by naming it", async () => {
      const created = await call('Observation', 'gp', {
        method: 'POST',
        body: JSON.stringify({ resourceType: 'Observation', ...lab('x', 'p1', 'ziekenhuis')[2] }),
      });
      expect(created.status).to.equal(201);
      expect(created.body.meta.tag).to.deep.equal([{ system: CUSTODIAN, code: 'praktijk' }]);
    });

    it('an administration-only login sees administration (groups, the directory), not medicine', async () => {
      expect((await call('Patient/p2', 'admin')).status).to.equal(404);
      expect((await call('CareTeam/group', 'admin')).status).to.equal(200);
      expect((await call('Organization/ziekenhuis', 'admin')).status).to.equal(200);
      expect(ids((await call('Observation', 'admin')).body)).to.deep.equal([]);
    });
  });
});
