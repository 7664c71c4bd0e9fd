import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { collectiveWorld, diagnostics, out, params } from '../support/collective.ts';

type Json = Record<string, any>;

const PATAST = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue';

describe('care collectives: care plans, activation, invitations, overview (seeds 000/001)', function () {
  this.timeout(180_000);
  let server: TestServer;
  const world = collectiveWorld(() => server);
  const { ids, zrns, post, get, call } = world;
  let collective: string;
  let other: string;

  const start = (
    as: string,
    values: Record<string, string | undefined>,
    headers: Record<string, string> = {},
  ) =>
    post(
      `Organization/${collective}/$start-plan`,
      as,
      params({
        title: 'Psoriasis',
        family: 'de Vries',
        given: 'Anna',
        birthDate: '1980-05-06',
        gender: 'female',
        ...values,
      }),
      headers,
    );
  const idOf = (ref: string) => ref.split('/')[1]!;
  /** A message of the casemanager in a plan, to a caregiver or the patient. */
  const message = (plan: string, patient: string, recipient: string, text: string) =>
    world.expectOk(
      call('Communication', 'cm', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Communication',
          status: 'completed',
          subject: { reference: `Patient/${patient}` },
          basedOn: [{ reference: `CarePlan/${plan}` }],
          sender: { reference: `Practitioner/${ids.cm}` },
          recipient: [{ reference: recipient }],
          sent: new Date().toISOString(),
          payload: [{ contentString: text }],
        }),
      }),
      201,
    );

  before(async () => {
    server = await startTestServer({}, { config: { smart: { devLogin: true, cookieKeys: [] } } });
    await world.caregivers('admin', 'beheerder', 'cm', 'cm2', 'colleague', 'elsewhere', 'admin2');
    collective = await world.collective('Huidcentrum', 'admin');
    other = await world.collective('Ziekenhuis Oost', 'admin2');
    await world.expectOk(
      post(
        `Organization/${collective}/$set-role`,
        'admin',
        params({ zrn: zrns.beheerder, role: 'beheerder', value: true }),
      ),
    );
    for (const [who, cm] of [
      ['cm', true],
      ['cm2', true],
      ['colleague', false],
    ] as const) {
      await world.expectOk(
        post(
          `Organization/${collective}/$add-caregiver`,
          'beheerder',
          params({ zrn: zrns[who], casemanager: cm }),
        ),
      );
    }
    // A caregiver of another collective (transmural care).
    await world.expectOk(
      post(
        `Organization/${other}/$set-role`,
        server.authorization!, // the operator: nobody grants themself a role
        params({ zrn: zrns.admin2, role: 'beheerder', value: true }),
      ),
    );
    await world.expectOk(
      post(`Organization/${other}/$add-caregiver`, 'admin2', params({ zrn: zrns.elsewhere })),
    );
  });
  after(() => server?.close());

  it("a BSN that names another person's record is refused, not silently used", async () => {
    await world.expectOk(start('cm', { bsn: '999911168', family: 'Janssen', given: 'Jan' }), 201);
    const other = await start('cm', { bsn: '999911168', family: 'Pietersen' }, { 'accept-language': 'en' });
    expect(other.status).to.equal(409);
    expect(diagnostics(other.body)).to.contain('another name or date of birth');
  });

  it("a BSN with records at two other organisations (a referrer's own, a hospital's): the plan makes the collective's own, and uses it next time", async () => {
    const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
    for (const [id, holder] of [
      ['bsn-at-hospital', 'hospital-x'],
      ['bsn-at-practice', 'practice-y'],
    ]) {
      const res = await server.fetch(`Patient/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify({
          resourceType: 'Patient',
          id,
          meta: { tag: [{ system: CUSTODIAN, code: holder }] },
          identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999911181' }],
          name: [{ family: 'de Vries', given: ['Anna'] }],
          birthDate: '1980-05-06',
          gender: 'female',
        }),
      });
      expect(res.status).to.equal(201);
    }
    const first = idOf(out(await world.expectOk(start('cm', { bsn: '999911181' }), 201), 'patient'));
    expect(first).to.not.be.oneOf(['bsn-at-hospital', 'bsn-at-practice']);
    const second = idOf(out(await world.expectOk(start('cm', { bsn: '999911181' }), 201), 'patient'));
    expect(second).to.equal(first);
  });

  it('only a casemanager starts a plan, and a BSN must pass the 11-test', async () => {
    expect((await start('colleague', { bsn: '999911120' })).status).to.equal(403);
    expect(
      (await start('admin', { bsn: '999911120' })).status,
      'an administrator is no casemanager',
    ).to.equal(403);
    const bad = await start('cm', { bsn: '123456789' }, { 'accept-language': 'en' });
    expect(bad.status).to.equal(400);
    expect(diagnostics(bad.body)).to.contain('11-test');
    const missing = await start('cm', { family: undefined });
    expect(missing.status).to.equal(400);
  });

  it("a plan started with a BSN is activated from that BSN's record: a login without a BSN is told of DigiD, whatever code it enters", async () => {
    const started = await world.expectOk(start('cm', { bsn: '999911211', family: 'Dijkstra' }), 201);
    const code = out(started, 'activationCode');
    const own = await server.fetch('Patient', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Dijkstra' }] }),
    });
    expect(own.status).to.equal(201);
    await world.patientLogin('pgd-only', ((await own.json()) as Json).id);
    const res = await post('CarePlan/$activate', 'pgd-only', params({ code }), { 'accept-language': 'en' });
    const wrong = await post('CarePlan/$activate', 'pgd-only', params({ code: 'AAAA-BBBB-CCCC-DDDD' }), {
      'accept-language': 'en',
    });
    // The same answer for the right code and a wrong one: it never tells that a code is valid.
    expect(res.status).to.equal(422);
    expect(res.body).to.deep.equal(wrong.body);
    expect(diagnostics(res.body)).to.contain('DigiD');
    await world.patientLogin('dijkstra', idOf(out(started, 'patient')));
    await world.expectOk(post('CarePlan/$activate', 'dijkstra', params({ code })));
  });

  describe('a plan with a BSN', () => {
    let plan: string;
    let patient: string;
    let code: string;

    before(async () => {
      const body = await world.expectOk(start('cm', { bsn: '999911120' }), 201);
      plan = idOf(out(body, 'carePlan'));
      patient = idOf(out(body, 'patient'));
      code = out(body, 'activationCode');
      expect(out(body, 'status')).to.equal('active');
      await world.patientLogin('anna', patient);
    });

    it("is usable at once, but the patient's own entries stay hidden from the team until activation", async () => {
      expect((await get(`Patient/${patient}`, 'cm')).status).to.equal(200);
      const allergy = await world.expectOk(
        call('AllergyIntolerance', 'anna', {
          method: 'POST',
          body: JSON.stringify({
            resourceType: 'AllergyIntolerance',
            patient: { reference: `Patient/${patient}` },
            code: { text: 'pinda' },
          }),
        }),
        201,
      );
      expect(allergy.meta.security.map((s: Json) => `${s.system}|${s.code}`)).to.include(`${PATAST}|PATAST`);
      expect((await get(`AllergyIntolerance/${allergy.id}`, 'cm')).status).to.equal(404);
      const activated = await post('CarePlan/$activate', 'anna', params({ code: code.toLowerCase() }));
      expect(activated.status, JSON.stringify(activated.body)).to.equal(200);
      expect((await get(`AllergyIntolerance/${allergy.id}`, 'cm')).status).to.equal(200);
      const consents = await get(`Consent?patient=Patient/${patient}`, 'anna');
      expect(consents.body.entry.map((e: Json) => e.resource.provision.type)).to.deep.equal(['permit']);
    });

    it('a used code activates nothing more', async () => {
      const again = await post('CarePlan/$activate', 'anna', params({ code }));
      expect(again.status).to.equal(422);
    });

    it('the patient reads the messages between the caregivers of their plan', async () => {
      await world.expectOk(post(`CarePlan/${plan}/$add-participant`, 'cm', params({ zrn: zrns.colleague })));
      await world.expectOk(post(`CarePlan/${plan}/$accept-invitation`, 'colleague'));
      const sent = await message(plan, patient, `Practitioner/${ids.colleague}`, 'Graag de zalf ophogen');
      const mine = await get(`Communication?subject=Patient/${patient}`, 'anna');
      expect(mine.body.entry.map((e: Json) => e.resource.id)).to.include(sent.id);
      expect((await get(`Communication/${sent.id}`, 'colleague')).status).to.equal(200);
    });
  });

  describe('a plan without a BSN', () => {
    let plan: string;
    let placeholder: string;
    let code: string;
    let pgd: string;

    before(async () => {
      const body = await world.expectOk(start('cm', { family: 'Bakker', given: 'Bo' }), 201);
      plan = idOf(out(body, 'carePlan'));
      placeholder = idOf(out(body, 'patient'));
      code = out(body, 'activationCode');
      expect(out(body, 'status')).to.equal('draft');
      // The patient's PGD account: a record of their own, without a BSN.
      const res = await server.fetch('Patient', {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Bakker', given: ['Bo'] }] }),
      });
      pgd = ((await res.json()) as Json).id;
      await world.patientLogin('bo', pgd);
    });

    it('is unusable before activation, and waits in the casemanager’s list with its code', async () => {
      expect((await get(`Patient/${placeholder}`, 'cm')).status).to.equal(404);
      expect((await get(`CarePlan/${plan}`, 'cm')).status).to.equal(404);
      const waiting = await world.expectOk(get(`Organization/${collective}/$waiting-for-activation`, 'cm'));
      const row = waiting.parameter.find((p: Json) =>
        p.part.some((x: Json) => x.valueReference?.reference === `CarePlan/${plan}`),
      );
      expect(row.part.find((x: Json) => x.name === 'activationCode').valueString).to.equal(code);
      const theirs = await world.expectOk(get(`Organization/${collective}/$waiting-for-activation`, 'cm2'));
      expect(JSON.stringify(theirs), "another casemanager's list").not.to.contain(code);
      expect((await get(`Organization/${collective}/$waiting-for-activation`, 'colleague')).status).to.equal(
        403,
      );
    });

    it('its code is in no read or search, and only the plan’s casemanagers see it', async () => {
      const reads = [
        await server.fetch(`CarePlan/${plan}`),
        await server.fetch(`CarePlan/${plan}/_history`),
        await server.fetch(`CarePlan?_id=${plan}&_include=*&_revinclude=*`),
        await server.fetch(`Patient/${placeholder}/$everything`),
      ];
      for (const res of reads) expect(await res.text()).not.to.contain(code);
      expect((await post(`CarePlan/${plan}/$activation-code`, 'cm2')).status).to.equal(403);
      expect((await post(`CarePlan/${plan}/$activation-code`, 'colleague')).status).to.equal(403);
      expect(
        out(await world.expectOk(post(`CarePlan/${plan}/$activation-code`, 'cm')), 'activationCode'),
      ).to.equal(code);
    });

    it('a reissued code replaces the old one; a wrong code activates nothing, and attempts are limited', async () => {
      const reissued = out(
        await world.expectOk(post(`CarePlan/${plan}/$activation-code`, 'cm', params({ reissue: true }))),
        'activationCode',
      );
      expect(reissued).not.to.equal(code);
      expect((await post('CarePlan/$activate', 'bo', params({ code }))).status, 'the old code').to.equal(422);
      code = reissued;
      for (let i = 0; i < 3; i++)
        expect(
          (await post('CarePlan/$activate', 'bo', params({ code: 'AAAA-BBBB-CCCC-DDDD' }))).status,
        ).to.equal(422);
      expect((await get(`CarePlan/${plan}`, 'cm')).status, 'still a draft').to.equal(404);
      const ok = await post('CarePlan/$activate', 'bo', params({ code }));
      expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
      // Five attempts in this window (the old code, three wrong, the right one): the sixth waits.
      const throttled = await post('CarePlan/$activate', 'bo', params({ code: 'AAAA-BBBB-CCCC-DDDD' }));
      expect(throttled.status).to.equal(429);
    });

    it('activation moved the plan to the patient’s own record, which the team now sees', async () => {
      const carePlan = await world.expectOk(get(`CarePlan/${plan}`, 'cm'));
      expect(carePlan.status).to.equal('active');
      expect(carePlan.subject.reference).to.equal(`Patient/${pgd}`);
      expect((await get(`Patient/${pgd}`, 'cm')).status).to.equal(200);
      const retired = await world.expectOk(
        get(`Patient/${placeholder}`, 'bo').then(() => ({ status: 200, body: {} })),
      );
      expect(retired).to.deep.equal({});
      const old = await (await server.fetch(`Patient/${placeholder}`)).json();
      expect(old.active).to.equal(false);
      expect(old.link[0].other.reference).to.equal(`Patient/${pgd}`);
    });
  });

  describe('transmural care, stopping and reassigning', () => {
    let plan: string;
    let patient: string;
    let otherPatient: string;

    before(async () => {
      const a = await world.expectOk(start('cm', { bsn: '999911132', family: 'Smit' }), 201);
      plan = idOf(out(a, 'carePlan'));
      patient = idOf(out(a, 'patient'));
      const b = await world.expectOk(start('cm', { bsn: '999911144', family: 'Visser' }), 201);
      otherPatient = idOf(out(b, 'patient'));
    });

    it('a caregiver of another collective, invited by ZRN, sees the plan’s patient after accepting, and nothing else here', async () => {
      const invited = await world.expectOk(
        post(`CarePlan/${plan}/$add-participant`, 'cm', params({ zrn: zrns.elsewhere })),
      );
      expect(out(invited, 'status')).to.equal('invited');
      expect((await get(`Patient/${patient}`, 'elsewhere')).status, 'not before accepting').to.equal(404);
      const list = await world.expectOk(get(`CarePlan/${plan}/$invitations`, 'cm'));
      expect(
        list.parameter.map((p: Json) => p.part.find((x: Json) => x.name === 'status').valueCode),
      ).to.deep.equal(['pending']);
      expect(
        (await post(`CarePlan/${plan}/$accept-invitation`, 'colleague')).status,
        'only the invitee accepts',
      ).to.equal(422);
      // The invitee finds it without the mail: the collective and who invited, not the plan's title.
      const mine = await world.expectOk(get('CarePlan/$my-invitations', 'elsewhere'));
      expect(mine.parameter).to.have.length(1);
      const part = (name: string) => mine.parameter[0].part.find((x: Json) => x.name === name);
      expect(part('carePlan').valueReference.reference).to.equal(`CarePlan/${plan}`);
      expect(part('collective').valueReference.display).to.equal('Huidcentrum');
      expect(JSON.stringify(mine)).not.to.contain('Psoriasis');
      expect(
        (await world.expectOk(get('CarePlan/$my-invitations', 'colleague'))).parameter ?? [],
      ).to.deep.equal([]);
      await world.expectOk(post(`CarePlan/${plan}/$accept-invitation`, 'elsewhere'));
      expect((await get(`Patient/${patient}`, 'elsewhere')).status).to.equal(200);
      expect((await get(`Patient/${otherPatient}`, 'elsewhere')).status).to.equal(404);
    });

    it("another collective's group cannot join a plan: its beheerder could put anyone in it", async () => {
      const theirs = await world.expectOk(
        post(
          `Organization/${other}/$create-group`,
          'admin2',
          params({ name: 'Oost', zrn: [zrns.elsewhere!] }),
        ),
        201,
      );
      const res = await post(
        `CarePlan/${plan}/$add-participant`,
        'cm',
        params({ grn: theirs.identifier[0].value }),
        { 'accept-language': 'en' },
      );
      expect(res.status).to.equal(422);
      expect(diagnostics(res.body)).to.contain('another care collective');
    });

    it('an invitee may decline: the casemanager sees it, and the invitee gains nothing', async () => {
      await world.expectOk(post(`CarePlan/${plan}/$add-participant`, 'cm', params({ zrn: zrns.colleague })));
      await world.expectOk(post(`CarePlan/${plan}/$decline-invitation`, 'colleague'));
      expect((await get(`Patient/${patient}`, 'colleague')).status).to.equal(404);
      const list = await world.expectOk(get(`CarePlan/${plan}/$invitations`, 'cm'));
      const colleague = list.parameter.find((p: Json) =>
        p.part.some((x: Json) => x.valueReference?.reference === `Practitioner/${ids.colleague}`),
      );
      expect(colleague.part.find((x: Json) => x.name === 'status').valueCode).to.equal('declined');
      expect((await post(`CarePlan/${plan}/$accept-invitation`, 'colleague')).status, 'answered').to.equal(
        422,
      );
      expect(
        (await world.expectOk(get('CarePlan/$my-invitations', 'colleague'))).parameter ?? [],
      ).to.deep.equal([]);
    });

    it('someone with nothing to do with a plan learns nothing of it, not even that it exists', async () => {
      const real = await post(`CarePlan/${plan}/$stop`, 'admin2');
      const made_up = await post('CarePlan/00000000-0000-4000-8000-000000000000/$stop', 'admin2');
      expect(real.status).to.equal(404);
      expect(real.body).to.deep.equal(
        JSON.parse(JSON.stringify(made_up.body).replaceAll('00000000-0000-4000-8000-000000000000', plan)),
      );
    });

    it('only a casemanager of the plan stops it; then its team no longer reaches the patient', async () => {
      await world.expectOk(post(`CarePlan/${plan}/$add-participant`, 'cm', params({ zrn: zrns.cm2 })));
      expect((await post(`CarePlan/${plan}/$stop`, 'cm2')).status).to.equal(403);
      expect((await post(`CarePlan/${plan}/$stop`, 'elsewhere')).status).to.equal(403);
      const stopped = await world.expectOk(post(`CarePlan/${plan}/$stop`, 'cm'));
      expect(stopped.status).to.equal('completed');
      expect((await get(`Patient/${patient}`, 'elsewhere')).status).to.equal(404);
      expect((await get(`Patient/${patient}`, 'cm')).status).to.equal(404);
      expect(
        (await post(`CarePlan/${plan}/$accept-invitation`, 'cm2')).status,
        'its invitations are void',
      ).to.equal(422);
    });

    it('a beheerder assigns a casemanager to an active plan that has none left', async () => {
      const b = await world.expectOk(start('cm2', { bsn: '999911156', family: 'Mulder' }), 201);
      const orphan = idOf(out(b, 'carePlan'));
      expect(
        (await post(`CarePlan/${orphan}/$assign-casemanager`, 'beheerder', params({ zrn: zrns.cm }))).status,
        'it has one',
      ).to.equal(409);
      await world.expectOk(
        post(
          `Organization/${collective}/$set-role`,
          'beheerder',
          params({ zrn: zrns.cm2, role: 'casemanager', value: false }),
        ),
      );
      expect(
        (await post(`CarePlan/${orphan}/$assign-casemanager`, 'cm', params({ zrn: zrns.cm }))).status,
        'not a beheerder',
      ).to.equal(403);
      await world.expectOk(
        post(`CarePlan/${orphan}/$assign-casemanager`, 'beheerder', params({ zrn: zrns.cm })),
      );
      expect((await post(`CarePlan/${orphan}/$activation-code`, 'cm')).status).to.equal(200);
    });

    it('and to a draft (no BSN) whose casemanager left, so someone can still remind the patient or stop it', async () => {
      await world.expectOk(
        post(
          `Organization/${collective}/$set-role`,
          'beheerder',
          params({ zrn: zrns.cm2, role: 'casemanager', value: true }),
        ),
      );
      const draft = idOf(
        out(await world.expectOk(start('cm2', { bsn: undefined, family: 'Kok' }), 201), 'carePlan'),
      );
      await world.expectOk(
        post(
          `Organization/${collective}/$set-role`,
          'beheerder',
          params({ zrn: zrns.cm2, role: 'casemanager', value: false }),
        ),
      );
      expect((await get(`CarePlan/${draft}/$activation-letter`, 'cm')).status, 'not hers yet').to.equal(403);
      await world.expectOk(
        post(`CarePlan/${draft}/$assign-casemanager`, 'beheerder', params({ zrn: zrns.cm })),
      );
      expect((await get(`CarePlan/${draft}/$activation-letter`, 'cm')).status).to.equal(200);
    });
  });

  describe("a plan's team", () => {
    let plan: string;
    let patient: string;

    before(async () => {
      const started = await world.expectOk(start('cm', { bsn: '999911223', family: 'Vos' }), 201);
      plan = idOf(out(started, 'carePlan'));
      patient = idOf(out(started, 'patient'));
    });

    it('a caregiver on the plan on their own is removed by ZRN and loses the patient on the next request', async () => {
      await world.expectOk(post(`CarePlan/${plan}/$add-participant`, 'cm', params({ zrn: zrns.colleague })));
      await world.expectOk(post(`CarePlan/${plan}/$accept-invitation`, 'colleague'));
      expect((await get(`Patient/${patient}`, 'colleague')).status).to.equal(200);
      await world.expectOk(
        post(`CarePlan/${plan}/$remove-participant`, 'cm', params({ zrn: zrns.colleague })),
      );
      expect((await get(`Patient/${patient}`, 'colleague')).status).to.equal(404);
    });

    it('a pending invitation is withdrawn by removing the invitee; the plan is then gone for them', async () => {
      await world.expectOk(post(`CarePlan/${plan}/$add-participant`, 'cm', params({ zrn: zrns.elsewhere })));
      await world.expectOk(
        post(`CarePlan/${plan}/$remove-participant`, 'cm', params({ zrn: zrns.elsewhere })),
      );
      const list = await world.expectOk(get(`CarePlan/${plan}/$invitations`, 'cm'));
      const theirs = list.parameter.find((p: Json) =>
        p.part.some((x: Json) => x.valueReference?.reference === `Practitioner/${ids.elsewhere}`),
      );
      expect(theirs.part.find((x: Json) => x.name === 'status').valueCode).to.equal('withdrawn');
      // With the invitation gone they have nothing to do with the plan: it is not there for them.
      expect((await post(`CarePlan/${plan}/$accept-invitation`, 'elsewhere')).status).to.equal(404);
      expect((await get(`Patient/${patient}`, 'elsewhere')).status).to.equal(404);
    });

    it('a message to the patient shows as unread to them until they mark it read', async () => {
      await world.patientLogin('vos', patient);
      const sent = await message(plan, patient, `Patient/${patient}`, 'Welkom in uw behandelplan.');
      const unread = async () =>
        (
          await world.expectOk(
            get(`Communication?recipient=Patient/${patient}&received:missing=true&_summary=count`, 'vos'),
          )
        ).total;
      expect(await unread()).to.equal(1);
      await world.expectOk(
        call(`Communication/${sent.id}`, 'vos', {
          method: 'PUT',
          body: JSON.stringify({ ...sent, received: new Date().toISOString() }),
        }),
      );
      expect(await unread()).to.equal(0);
    });
  });

  describe('the administrator', () => {
    it("the administrator's overview: plans with name, birth date, gender and BSN, casemanagers, groups, billing — and no clinical resource", async () => {
      await world.expectOk(
        post(
          `Organization/${collective}/$create-group`,
          'beheerder',
          params({ name: 'Dermatologen', zrn: [zrns.cm!] }),
        ),
        201,
      );
      const overview = await world.expectOk(get(`Organization/${collective}/$overview`, 'admin'));
      const active = overview.parameter.filter((p: Json) => p.name === 'activePlan');
      const anna = active.find((p: Json) =>
        p.part.some((x: Json) => x.name === 'bsn' && x.valueString === '999911120'),
      );
      expect(anna.part.find((x: Json) => x.name === 'patientName').valueString).to.equal('Anna de Vries');
      expect(anna.part.find((x: Json) => x.name === 'gender').valueCode).to.equal('female');
      const cm = overview.parameter.find(
        (p: Json) =>
          p.name === 'casemanager' && p.part[0].valueReference.reference === `Practitioner/${ids.cm}`,
      );
      expect(cm.part.find((x: Json) => x.name === 'activePlans').valueInteger).to.be.greaterThan(0);
      expect(cm.part[0].valueReference.display).to.equal('cm Test');
      // Who is involved in each plan, by name: on their own, and through groups.
      const involved = anna.part
        .filter((x: Json) => x.name === 'caregiver')
        .map((x: Json) => x.valueReference);
      expect(involved).to.deep.include({ reference: `Practitioner/${ids.cm}`, display: 'cm Test' });
      expect(overview.parameter.some((p: Json) => p.name === 'group')).to.equal(true);
      expect(
        overview.parameter
          .find((p: Json) => p.name === 'billing')
          .part.find((x: Json) => x.name === 'planDays').valueInteger,
      ).to.be.greaterThan(0);
      expect(JSON.stringify(overview)).not.to.match(/"resourceType":"(?!Parameters)/);
      // Billing per period: nothing ran in January 2020; a period that ends before it starts is refused.
      const past = await world.expectOk(
        get(`Organization/${collective}/$overview?periodStart=2020-01-01&periodEnd=2020-02-01`, 'admin'),
      );
      const pastBilling = past.parameter.find((p: Json) => p.name === 'billing');
      expect(pastBilling.part.find((x: Json) => x.name === 'planDays').valueInteger).to.equal(0);
      expect(
        (
          await get(
            `Organization/${collective}/$overview?periodStart=2020-02-01&periodEnd=2020-01-01`,
            'admin',
          )
        ).status,
      ).to.equal(400);
      expect(JSON.stringify(overview)).not.to.contain('Graag de zalf');
      // The administrator reads no patient's record.
      const anyPatient = active[0].part.find((x: Json) => x.name === 'carePlan').valueReference.reference;
      expect((await get(anyPatient, 'admin')).status).to.equal(404);
      expect((await get('Patient', 'admin')).body.entry ?? []).to.have.length(0);
      expect((await get(`Organization/${collective}/$overview`, 'beheerder')).status).to.equal(403);
    });
  });
});
