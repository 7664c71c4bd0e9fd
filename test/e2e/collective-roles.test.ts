import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';
import { personToken } from '../support/smart-flow.ts';
import { collectiveWorld, diagnostics, GRN, out, params, ZRN } from '../support/collective.ts';

type Json = Record<string, any>;

const swapCase = (s: string) =>
  [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');

describe('care collectives: registration, roles and groups (seeds 000/001)', function () {
  this.timeout(180_000);
  let server: TestServer;
  const world = collectiveWorld(() => server);
  const { tokens, ids, zrns, post, get } = world;
  let collective: string;

  before(async () => {
    server = await startTestServer({}, { config: { smart: { devLogin: true, cookieKeys: [] } } });
    await world.caregivers('admin', 'beheerder', 'cm', 'nurse', 'gp', 'outsider');
    collective = await world.collective('Zorgcollectief Noord', 'admin');
  });
  after(() => server?.close());

  it('the CapabilityStatement declares the operations with their OperationDefinitions', async () => {
    const cs = (await get('metadata', 'nurse')).body;
    const ops = (type: string) =>
      cs.rest[0].resource
        .find((r: Json) => r.type === type)
        .operation.map((o: Json) => `${o.name} ${o.definition}`);
    expect(ops('Organization')).to.include(
      'start-plan https://zorgpoort.nl/fhir/OperationDefinition/Organization-start-plan',
    );
    expect(ops('CarePlan')).to.include(
      'activate https://zorgpoort.nl/fhir/OperationDefinition/CarePlan-activate',
    );
    expect(ops('Patient').some((o: string) => o.startsWith('start-plan'))).to.equal(false);
  });

  describe('registration', () => {
    it('gives a caregiver a generated ZRN; a ZRN is found exactly, case and all, and a caregiver by name', async () => {
      const zrn = zrns.nurse!;
      expect(zrn).to.match(/^[A-Za-z2-9]{8}$/);
      const exact = await get(`Practitioner?identifier=${encodeURIComponent(`${ZRN}|${zrn}`)}`, 'beheerder');
      expect(exact.body.entry.map((e: Json) => e.resource.id)).to.deep.equal([ids.nurse]);
      const otherCase = swapCase(zrn);
      const wrong = await get(
        `Practitioner?identifier=${encodeURIComponent(`${ZRN}|${otherCase}`)}`,
        'beheerder',
      );
      expect(wrong.body.entry ?? []).to.have.length(0);
      const byName = await get('Practitioner?given=nurse', 'beheerder');
      expect(byName.body.entry.map((e: Json) => e.resource.id)).to.include(ids.nurse);
    });

    it("is for the registration app (a system client), not a person's login, and refuses a taken UZI number", async () => {
      const client = await registerBackendClient(server, { scope: 'system/Practitioner.cr' });
      const app = `Bearer ${await backendToken(server, client)}`;
      const first = await post(
        'Practitioner/$register',
        app,
        params({ given: 'Ann', family: 'Smit', email: 'ann@example.org', uzi: '900012345' }),
      );
      expect(first.status).to.equal(201);
      const again = await post(
        'Practitioner/$register',
        app,
        params({ given: 'Ann', family: 'Smit', email: 'ann2@example.org', uzi: '900012345' }),
      );
      expect(again.status).to.equal(409);
      const byPerson = await post(
        'Practitioner/$register',
        'nurse',
        params({ given: 'X', family: 'Y', email: 'x@example.org' }),
      );
      expect(byPerson.status).to.equal(403);
      const noEmail = await post('Practitioner/$register', app, params({ given: 'X', family: 'Y' }));
      expect(noEmail.status).to.equal(400);
    });
  });

  describe('roles: who may grant what', () => {
    it('only the operator sets up a collective', async () => {
      const res = await post(
        'Organization/$create-collective',
        'admin',
        params({ name: 'Mine', administrator: zrns.admin }),
      );
      expect(res.status).to.equal(403);
    });

    it('only an administrator makes a beheerder; a beheerder adds caregivers and grants casemanager', async () => {
      const byCaregiver = await post(
        `Organization/${collective}/$set-role`,
        'beheerder',
        params({ zrn: zrns.beheerder, role: 'beheerder', value: true }),
      );
      expect(byCaregiver.status).to.equal(403);
      expect(diagnostics(byCaregiver.body)).to.contain('administrator');
      await world.expectOk(
        post(
          `Organization/${collective}/$set-role`,
          'admin',
          params({ zrn: zrns.beheerder, role: 'beheerder', value: true }),
        ),
      );
      const adminAdds = await post(
        `Organization/${collective}/$add-caregiver`,
        'admin',
        params({ zrn: zrns.cm }),
      );
      expect(adminAdds.status, 'an administrator is not a beheerder').to.equal(403);
      const role = await world.expectOk(
        post(
          `Organization/${collective}/$add-caregiver`,
          'beheerder',
          params({ zrn: zrns.cm, casemanager: true }),
        ),
      );
      expect(role.code.map((c: Json) => c.coding[0].code).sort()).to.deep.equal(['caregiver', 'casemanager']);
      await world.expectOk(
        post(`Organization/${collective}/$add-caregiver`, 'beheerder', params({ zrn: zrns.nurse })),
      );
      const nurseGrants = await post(
        `Organization/${collective}/$set-role`,
        'nurse',
        params({ zrn: zrns.nurse, role: 'casemanager', value: true }),
      );
      expect(nurseGrants.status).to.equal(403);
      const byBeheerder = await post(
        `Organization/${collective}/$set-role`,
        'beheerder',
        params({ zrn: zrns.beheerder, role: 'administrator', value: true }),
      );
      expect(byBeheerder.status, 'a beheerder does not make administrators').to.equal(403);
    });

    it('refuses an unknown ZRN, telling that a ZRN is case-sensitive, in the language asked for', async () => {
      const en = await post(
        `Organization/${collective}/$add-caregiver`,
        'beheerder',
        params({ zrn: swapCase(zrns.gp!) }),
        { 'accept-language': 'en' },
      );
      expect(en.status).to.equal(422);
      expect(diagnostics(en.body)).to.contain('case-sensitive').and.not.contain('hoofdlettergevoelig');
      const nl = await post(
        `Organization/${collective}/$add-caregiver`,
        'beheerder',
        params({ zrn: swapCase(zrns.gp!) }),
        { 'accept-language': 'nl-NL,nl;q=0.9,en;q=0.5' },
      );
      expect(diagnostics(nl.body)).to.contain('hoofdlettergevoelig').and.not.contain('case-sensitive');
    });

    it("a collective's memberships change only through its operations, not by writing them", async () => {
      const mine = await get(`PractitionerRole?practitioner=Practitioner/${ids.beheerder}`, 'beheerder');
      const role = mine.body.entry[0].resource;
      role.code.push({
        coding: [{ system: 'https://zorgpoort.nl/fhir/CodeSystem/collective-role', code: 'administrator' }],
      });
      const put = await world.call(`PractitionerRole/${role.id}`, 'beheerder', {
        method: 'PUT',
        body: JSON.stringify(role),
      });
      expect(put.status).to.equal(403);
      expect(diagnostics(put.body)).to.match(/may not (write|update) PractitionerRole/);
      const { id: _id, meta: _meta, ...fresh } = role;
      const forged = await world.call('PractitionerRole', 'gp', {
        method: 'POST',
        body: JSON.stringify({
          ...fresh,
          practitioner: { reference: `Practitioner/${ids.gp}` },
          meta: {
            tag: [{ system: 'https://zorgpoort.nl/fhir/CodeSystem/care-collective', code: collective }],
          },
        }),
      });
      expect(forged.status).to.equal(403);
      const still = await post(
        `Organization/${collective}/$set-role`,
        'beheerder',
        params({ zrn: zrns.beheerder, role: 'administrator', value: true }),
      );
      expect(still.status).to.equal(403);
    });

    it("nobody takes another's ZRN, makes themself staff somewhere, or fakes a group by writing the directory", async () => {
      const mine = (await get(`Practitioner/${ids.gp}`, 'gp')).body;
      const steal = await world.call(`Practitioner/${ids.gp}`, 'gp', {
        method: 'PUT',
        body: JSON.stringify({
          ...mine,
          identifier: [...mine.identifier, { system: ZRN, value: zrns.beheerder }],
        }),
      });
      expect(steal.status).to.equal(403);
      const victim = (await get(`Practitioner/${ids.beheerder}`, 'gp')).body;
      const edit = await world.call(`Practitioner/${ids.beheerder}`, 'gp', {
        method: 'PUT',
        body: JSON.stringify({ ...victim, telecom: [{ system: 'email', value: 'attacker@example.org' }] }),
      });
      expect(edit.status, "someone else's record").to.equal(403);
      const ownEmail = await world.call(`Practitioner/${ids.gp}`, 'gp', {
        method: 'PUT',
        body: JSON.stringify({ ...mine, telecom: [{ system: 'email', value: 'gp@praktijk.example.org' }] }),
      });
      expect(ownEmail.status, 'their own details').to.equal(200);
      const staff = await world.call('PractitionerRole', 'gp', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'PractitionerRole',
          practitioner: { reference: `Practitioner/${ids.gp}` },
          organization: { reference: `Organization/${collective}` },
        }),
      });
      expect(staff.status).to.equal(403);
      const fakeGroup = await world.call('CareTeam', 'gp', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'CareTeam',
          identifier: [{ system: GRN, value: 'G-ABCDEFGH' }],
        }),
      });
      expect(fakeGroup.status).to.equal(403);
    });

    it('nobody grants themself a role (four eyes)', async () => {
      const self = await post(
        `Organization/${collective}/$set-role`,
        'admin',
        params({ zrn: zrns.admin, role: 'beheerder', value: true }),
        { 'accept-language': 'en' },
      );
      expect(self.status).to.equal(403);
      expect(diagnostics(self.body)).to.contain('four eyes');
      // Nor by adding themself: a beheerder made casemanager could open a record by starting a plan.
      const added = await post(
        `Organization/${collective}/$add-caregiver`,
        'beheerder',
        params({ zrn: zrns.beheerder, casemanager: true }),
        { 'accept-language': 'en' },
      );
      expect(added.status).to.equal(403);
      expect(diagnostics(added.body)).to.contain('four eyes');
      // Nor into a group: joining a group is joining its plans.
      const ownGroup = await post(
        `Organization/${collective}/$create-group`,
        'beheerder',
        params({ name: 'Eigen', zrn: [zrns.beheerder!] }),
      );
      expect(ownGroup.status).to.equal(403);
    });

    it('the collective keeps at least one administrator', async () => {
      const res = await post(
        `Organization/${collective}/$set-role`,
        'admin',
        params({ zrn: zrns.admin, role: 'administrator', value: false }),
      );
      expect(res.status).to.equal(409);
    });
  });

  describe('groups and plans', () => {
    let group: Json;
    let plan: string;
    let patient: string;

    before(async () => {
      group = await world.expectOk(
        post(
          `Organization/${collective}/$create-group`,
          'beheerder',
          params({ name: 'Wijkteam', zrn: [zrns.nurse!] }),
        ),
        201,
      );
      const started = await world.expectOk(
        post(
          `Organization/${collective}/$start-plan`,
          'cm',
          params({
            title: 'Diabetes',
            family: 'Jansen',
            given: 'Piet',
            birthDate: '1960-02-03',
            gender: 'male',
            bsn: '999911120',
          }),
        ),
        201,
      );
      plan = out(started, 'carePlan').replace('CarePlan/', '');
      patient = out(started, 'patient').replace('Patient/', '');
    });

    it('a beheerder does not add themself to a group', async () => {
      const res = await post(
        `CareTeam/${group.id}/$add-member`,
        'beheerder',
        params({ zrn: zrns.beheerder }),
        {
          'accept-language': 'en',
        },
      );
      expect(res.status).to.equal(403);
      expect(diagnostics(res.body)).to.contain('four eyes');
    });

    it('a group gets a generated GRN; only a beheerder makes one', async () => {
      expect(group.identifier.find((i: Json) => i.system === GRN).value).to.match(/^G-[A-Z2-9]{8}$/);
      const byNurse = await post(
        `Organization/${collective}/$create-group`,
        'nurse',
        params({ name: 'Mine' }),
      );
      expect(byNurse.status).to.equal(403);
    });

    it('a group added to a plan by GRN: a member gained or lost sees or loses the patient on the next request', async () => {
      const grn = group.identifier[0].value;
      expect((await get(`Patient/${patient}`, 'nurse')).status, 'before the group is in the plan').to.equal(
        404,
      );
      await world.expectOk(post(`CarePlan/${plan}/$add-participant`, 'cm', params({ grn })));
      expect((await get(`Patient/${patient}`, 'nurse')).status).to.equal(200);
      await world.expectOk(
        post(`CareTeam/${group.id}/$remove-member`, 'beheerder', params({ zrn: zrns.nurse })),
      );
      const gone = await get(`Patient/${patient}`, 'nurse');
      expect(gone.status).to.equal(404);
      expect((await get(`CarePlan?subject=Patient/${patient}`, 'nurse')).body.entry ?? []).to.have.length(0);
      await world.expectOk(
        post(`CareTeam/${group.id}/$add-member`, 'beheerder', params({ zrn: zrns.nurse })),
      );
      expect((await get(`Patient/${patient}`, 'nurse')).status).to.equal(200);
    });

    it('a member change holds in every plan of the group at once', async () => {
      const second = await world.expectOk(
        post(
          `Organization/${collective}/$start-plan`,
          'cm',
          params({
            title: 'COPD',
            family: 'Bakker',
            birthDate: '1950-01-01',
            gender: 'male',
            bsn: '999911235',
          }),
        ),
        201,
      );
      const plan2 = out(second, 'carePlan').replace('CarePlan/', '');
      const patient2 = out(second, 'patient').replace('Patient/', '');
      const grn = group.identifier[0].value;
      await world.expectOk(post(`CarePlan/${plan2}/$add-participant`, 'cm', params({ grn })));
      const sees = async () => [
        (await get(`Patient/${patient}`, 'nurse')).status,
        (await get(`Patient/${patient2}`, 'nurse')).status,
      ];
      expect(await sees()).to.deep.equal([200, 200]);
      await world.expectOk(
        post(`CareTeam/${group.id}/$remove-member`, 'beheerder', params({ zrn: zrns.nurse })),
      );
      expect(await sees()).to.deep.equal([404, 404]);
      await world.expectOk(
        post(`CareTeam/${group.id}/$add-member`, 'beheerder', params({ zrn: zrns.nurse })),
      );
      expect(await sees()).to.deep.equal([200, 200]);
      await world.expectOk(post(`CarePlan/${plan2}/$remove-participant`, 'cm', params({ grn })));
      expect(await sees()).to.deep.equal([200, 404]);
    });

    it('a caregiver in a plan only through a group cannot be removed from it alone', async () => {
      const res = await post(`CarePlan/${plan}/$remove-participant`, 'cm', params({ zrn: zrns.nurse }), {
        'accept-language': 'en',
      });
      expect(res.status).to.equal(409);
      expect(diagnostics(res.body)).to.contain('Wijkteam').and.contain('remove the group');
    });

    it('a caregiver still in a group is not removed from the collective; once removed, they log in and see no patient', async () => {
      // The nurse is also in the plan on her own (invited and accepted), which removal ends too.
      await world.expectOk(post(`CarePlan/${plan}/$add-participant`, 'cm', params({ zrn: zrns.nurse })));
      await world.expectOk(post(`CarePlan/${plan}/$accept-invitation`, 'nurse'));
      // Ending her own place would answer 200 and leave her access through the group.
      expect(
        (await post(`CarePlan/${plan}/$remove-participant`, 'cm', params({ zrn: zrns.nurse }))).status,
        'also on her own, but still in the group',
      ).to.equal(409);
      const refused = await post(
        `Organization/${collective}/$remove-caregiver`,
        'beheerder',
        params({ zrn: zrns.nurse }),
        {
          'accept-language': 'en',
        },
      );
      expect(refused.status).to.equal(409);
      expect(diagnostics(refused.body)).to.contain('Wijkteam');
      await world.expectOk(
        post(`CareTeam/${group.id}/$remove-member`, 'beheerder', params({ zrn: zrns.nurse })),
      );
      expect((await get(`Patient/${patient}`, 'nurse')).status, 'still in the plan on her own').to.equal(200);
      await world.expectOk(
        post(`Organization/${collective}/$remove-caregiver`, 'beheerder', params({ zrn: zrns.nurse })),
      );
      tokens.nurse = await personToken(server, `Practitioner/${ids.nurse}`);
      const patients = await get('Patient', 'nurse');
      expect(patients.status).to.equal(200);
      expect(patients.body.entry ?? []).to.have.length(0);
      expect((await get(`Patient/${patient}`, 'nurse')).status).to.equal(404);
    });

    it('a beheerder renames a group and deletes it, but not while it is in an open plan', async () => {
      const grn = group.identifier[0].value;
      expect(
        (await post(`CareTeam/${group.id}/$rename-group`, 'nurse', params({ name: 'Mijn team' }))).status,
      ).to.equal(403);
      const renamed = await world.expectOk(
        post(`CareTeam/${group.id}/$rename-group`, 'beheerder', params({ name: 'Wijkteam Noord' })),
      );
      expect(renamed.name).to.equal('Wijkteam Noord');
      expect(renamed.identifier[0].value).to.equal(grn);
      const refused = await post(`CareTeam/${group.id}/$delete-group`, 'beheerder', undefined, {
        'accept-language': 'en',
      });
      expect(refused.status).to.equal(409);
      expect(diagnostics(refused.body)).to.contain('1 open plan');
      await world.expectOk(post(`CarePlan/${plan}/$remove-participant`, 'cm', params({ grn })));
      const deleted = await world.expectOk(post(`CareTeam/${group.id}/$delete-group`, 'beheerder'));
      expect(deleted.status).to.equal('inactive');
      expect(
        deleted.participant.every((p: Json) => p.period?.end),
        "every member's place ended",
      ).to.equal(true);
      expect((await post(`CarePlan/${plan}/$add-participant`, 'cm', params({ grn }))).status).to.equal(422);
      expect(
        (await post(`CareTeam/${group.id}/$rename-group`, 'beheerder', params({ name: 'x' }))).status,
      ).to.equal(409);
    });
  });
});
