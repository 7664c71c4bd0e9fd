import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { collectiveWorld, diagnostics, out, params } from '../support/collective.ts';

type Json = Record<string, any>;

const MODULE = 'https://zorgpoort.nl/fhir/CodeSystem/plan-module';

/**
 * A plan's modules are FHIR resources in the patient's record, read and written through the
 * gate: the plan's team (directly or through a group) and the patient see them, nobody else.
 */
describe('care collectives: plan templates and modules (seeds 000/001)', function () {
  this.timeout(180_000);
  let server: TestServer;
  const world = collectiveWorld(() => server);
  const { ids, zrns, post, get, call } = world;
  let collective: string;
  let plan: string;
  let patient: string;
  let code: string;
  const create = async (as: string, resource: Json) =>
    world.expectOk(call(resource.resourceType, as, { method: 'POST', body: JSON.stringify(resource) }), 201);

  before(async () => {
    server = await startTestServer({}, { config: { smart: { devLogin: true, cookieKeys: [] } } });
    await world.caregivers('admin', 'beheerder', 'cm', 'colleague', 'outsider');
    collective = await world.collective('GGZ Noord', 'admin');
    await world.expectOk(
      post(
        `Organization/${collective}/$set-role`,
        'admin',
        params({ zrn: zrns.beheerder, role: 'beheerder', value: true }),
      ),
    );
    await world.expectOk(
      post(
        `Organization/${collective}/$add-caregiver`,
        'beheerder',
        params({ zrn: zrns.cm, casemanager: true }),
      ),
    );
    await world.expectOk(
      post(`Organization/${collective}/$add-caregiver`, 'beheerder', params({ zrn: zrns.colleague })),
    );
    await world.expectOk(
      post(`Organization/${collective}/$add-caregiver`, 'beheerder', params({ zrn: zrns.outsider })),
    );
    const group = await world.expectOk(
      post(
        `Organization/${collective}/$create-group`,
        'beheerder',
        params({ name: 'Psychiaters', zrn: [zrns.colleague!] }),
      ),
      201,
    );
    const started = await world.expectOk(
      post(
        `Organization/${collective}/$start-plan`,
        'cm',
        params({
          template: 'bipolar-disorder',
          family: 'Dekker',
          given: 'Lot',
          birthDate: '1985-07-08',
          gender: 'female',
          bsn: '999911181',
        }),
      ),
      201,
    );
    plan = out(started, 'carePlan').split('/')[1]!;
    patient = out(started, 'patient').split('/')[1]!;
    code = out(started, 'activationCode');
    await world.expectOk(
      post(`CarePlan/${plan}/$add-participant`, 'cm', params({ grn: group.identifier[0].value })),
    );
    await world.patientLogin('lot', patient);
  });
  after(() => server?.close());

  it('a plan instantiates its template: one activity per module', async () => {
    const carePlan = await world.expectOk(get(`CarePlan/${plan}`, 'cm'));
    expect(carePlan.title).to.equal('Bipolaire stoornis');
    expect(carePlan.instantiatesCanonical).to.deep.equal([
      'https://zorgpoort.nl/fhir/PlanDefinition/care-plan-bipolar-disorder|1.0.0',
    ]);
    const modules = carePlan.activity.map((a: Json) => a.detail.code.coding[0]);
    expect(modules.every((c: Json) => c.system === MODULE)).to.equal(true);
    expect(modules.map((c: Json) => c.code)).to.include.members([
      'mood',
      'diary',
      'lifechart',
      'signaling-plan',
      'messages',
      'reports',
    ]);
    const unknown = await post(
      `Organization/${collective}/$start-plan`,
      'cm',
      params({ template: 'eczema', family: 'X', birthDate: '1980-01-01', gender: 'male' }),
      { 'accept-language': 'en' },
    );
    expect(unknown.status).to.equal(422);
    expect(diagnostics(unknown.body)).to.contain('psoriasis');
  });

  it("the patient's own entries (PGD) reach the team only after activation", async () => {
    const condition = await create('lot', {
      resourceType: 'Condition',
      subject: { reference: `Patient/${patient}` },
      code: { text: 'Migraine' },
    });
    expect((await get(`Condition/${condition.id}`, 'colleague')).status).to.equal(404);
    await world.expectOk(post('CarePlan/$activate', 'lot', params({ code })));
    expect((await get(`Condition/${condition.id}`, 'colleague')).status).to.equal(200);
  });

  it('PGD data, mood meter, diary, photos and questionnaires from the patient: the team reads them, an outsider does not', async () => {
    const subject = { reference: `Patient/${patient}` };
    const questionnaire = await create('cm', {
      resourceType: 'Questionnaire',
      status: 'active',
      title: 'Stemming deze week',
      item: [{ linkId: '1', text: 'Hoe was uw stemming?', type: 'integer' }],
    });
    const written = [
      await create('lot', {
        resourceType: 'AllergyIntolerance',
        patient: subject,
        code: { text: 'Penicilline' },
      }),
      await create('lot', {
        resourceType: 'Procedure',
        status: 'completed',
        subject,
        code: { text: 'Blindedarmoperatie' },
      }),
      await create('lot', {
        resourceType: 'MedicationStatement',
        status: 'active',
        subject,
        medicationCodeableConcept: { text: 'Lithium' },
      }),
      await create('lot', {
        resourceType: 'RelatedPerson',
        patient: subject,
        name: [{ text: 'Noodcontact Kees Dekker' }],
        telecom: [{ system: 'phone', value: '0612345678' }],
      }),
      await create('lot', {
        resourceType: 'Observation',
        status: 'final',
        subject,
        code: { coding: [{ system: 'http://loinc.org', code: '882-1' }] },
        valueCodeableConcept: { text: 'O negatief' },
      }),
      await create('lot', {
        resourceType: 'Coverage',
        status: 'active',
        beneficiary: subject,
        payor: [{ display: 'Zorgverzekeraar' }],
      }),
      await create('lot', {
        resourceType: 'Observation',
        status: 'final',
        subject,
        code: { coding: [{ system: MODULE, code: 'mood' }] },
        valueInteger: 7,
      }),
      await create('lot', {
        resourceType: 'Observation',
        status: 'final',
        subject,
        code: { coding: [{ system: MODULE, code: 'diary' }] },
        valueString: 'Goed geslapen',
      }),
      await create('lot', {
        resourceType: 'Media',
        status: 'completed',
        subject,
        content: { contentType: 'image/png', data: 'iVBORw0KGgo=' },
      }),
      await create('lot', {
        resourceType: 'QuestionnaireResponse',
        status: 'completed',
        subject,
        questionnaire: `Questionnaire/${questionnaire.id}`,
        item: [{ linkId: '1', answer: [{ valueInteger: 6 }] }],
      }),
    ];
    for (const r of written) {
      expect(
        (await get(`${r.resourceType}/${r.id}`, 'colleague')).status,
        `${r.resourceType} for the team`,
      ).to.equal(200);
      expect(
        (await get(`${r.resourceType}/${r.id}`, 'outsider')).status,
        `${r.resourceType} for an outsider`,
      ).to.equal(404);
    }
    const mood = await world.expectOk(
      get(`Observation?subject=Patient/${patient}&code=${encodeURIComponent(`${MODULE}|mood`)}`, 'cm'),
    );
    expect(mood.entry.map((e: Json) => e.resource.valueInteger)).to.deep.equal([7]);
  });

  it('reports, goals and messages from the team: the patient reads them all, with an unread notice for the recipient', async () => {
    const subject = { reference: `Patient/${patient}` };
    const report = await create('colleague', {
      resourceType: 'DocumentReference',
      status: 'current',
      subject,
      context: { related: [{ reference: `CarePlan/${plan}` }] },
      content: [
        { attachment: { contentType: 'text/plain', data: Buffer.from('Stabiel.').toString('base64') } },
      ],
    });
    const goal = await create('cm', {
      resourceType: 'Goal',
      lifecycleStatus: 'active',
      subject,
      description: { text: 'Regelmatig slapen' },
    });
    const message = await create('cm', {
      resourceType: 'Communication',
      status: 'completed',
      subject,
      basedOn: [{ reference: `CarePlan/${plan}` }],
      recipient: [{ reference: `Practitioner/${ids.colleague}` }],
      sender: { reference: `Practitioner/${ids.cm}` },
      sent: new Date().toISOString(),
      payload: [{ contentString: 'Lithiumspiegel volgende week?' }],
    });
    for (const r of [report, goal, message]) {
      expect(
        (await get(`${r.resourceType}/${r.id}`, 'lot')).status,
        `${r.resourceType} for the patient`,
      ).to.equal(200);
    }
    const reports = await world.expectOk(get(`DocumentReference?related=CarePlan/${plan}`, 'lot'));
    expect(reports.entry.map((e: Json) => e.resource.id)).to.deep.equal([report.id]);
    const unread = (as: string) =>
      get(
        `Communication?recipient=Practitioner/${ids.colleague}&received:missing=true&_summary=count`,
        as,
      ).then((r) => r.body.total);
    expect(await unread('colleague')).to.equal(1);
    await world.expectOk(
      call(`Communication/${message.id}`, 'colleague', {
        method: 'PUT',
        body: JSON.stringify({ ...message, received: new Date().toISOString() }),
      }),
    );
    expect(await unread('colleague')).to.equal(0);
  });

  it("actions (Task) are the patient's record: the team and the patient read them, the patient marks one done, an outsider sees none", async () => {
    const task = await create('cm', {
      resourceType: 'Task',
      status: 'requested',
      intent: 'plan',
      basedOn: [{ reference: `CarePlan/${plan}` }],
      for: { reference: `Patient/${patient}` },
      owner: { reference: `Patient/${patient}` },
      description: 'Elke avond het stemmingsdagboek invullen',
    });
    for (const as of ['colleague', 'lot']) {
      const found = await world.expectOk(get(`Task?based-on=CarePlan/${plan}`, as));
      expect(
        found.entry.map((e: Json) => e.resource.id),
        as,
      ).to.deep.equal([task.id]);
    }
    expect((await get(`Task/${task.id}`, 'outsider')).status).to.equal(404);
    expect(
      (await world.expectOk(get(`Task?patient=Patient/${patient}&_summary=count`, 'outsider'))).total,
    ).to.equal(0);
    const everything = await world.expectOk(get(`Patient/${patient}/$everything`, 'lot'));
    expect(everything.entry.map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`)).to.include(
      `Task/${task.id}`,
    );
    const done = await world.expectOk(
      call(`Task/${task.id}`, 'lot', {
        method: 'PUT',
        body: JSON.stringify({ ...task, status: 'completed' }),
      }),
    );
    expect(done.status).to.equal('completed');
    // A caregiver of the collective outside the plan cannot file a task for its patient.
    const refused = await call('Task', 'outsider', {
      method: 'POST',
      body: JSON.stringify({ ...task, id: undefined, meta: undefined }),
    });
    expect(refused.status).to.equal(403);
  });

  it("exports the plan's reports as one FHIR document for the team and the patient; to anyone else the plan does not exist", async () => {
    await create('cm', {
      resourceType: 'DocumentReference',
      status: 'current',
      subject: { reference: `Patient/${patient}` },
      description: 'Evaluatie <week 6>',
      date: new Date().toISOString(),
      context: { related: [{ reference: `CarePlan/${plan}` }] },
      content: [
        {
          attachment: {
            contentType: 'text/plain',
            data: Buffer.from('Slaapt beter & rustiger.').toString('base64'),
          },
        },
      ],
    });
    for (const as of ['lot', 'colleague']) {
      const doc = await world.expectOk(get(`CarePlan/${plan}/$export-reports`, as));
      expect(doc.resourceType).to.equal('Bundle');
      expect(doc.type).to.equal('document');
      const [first, ...rest] = doc.entry.map((e: Json) => e.resource);
      expect(first.resourceType).to.equal('Composition');
      expect(first.subject.reference).to.equal(`Patient/${patient}`);
      const reports = rest.filter((r: Json) => r.resourceType === 'DocumentReference');
      expect(reports.length, as).to.be.greaterThan(1);
      expect(first.section[0].entry.map((e: Json) => e.reference)).to.deep.equal(
        reports.map((r: Json) => `DocumentReference/${r.id}`),
      );
      expect(rest.map((r: Json) => r.resourceType)).to.include.members(['Patient', 'CarePlan']);
      // The narrative is the readable export: each report's text, escaped.
      expect(first.text.div).to.contain('Slaapt beter &amp; rustiger.');
      expect(first.text.div).to.contain('Evaluatie &lt;week 6&gt;');
      expect(first.text.div).to.contain('Stabiel.');
    }
    // A report about someone else that names the plan is not in this patient's document, even
    // for a caller who may read it (the operator's trusted client).
    const stranger = (await (
      await server.fetch('Patient', {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Anders' }] }),
      })
    ).json()) as Json;
    const misfiled = await server.fetch('DocumentReference', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'DocumentReference',
        status: 'current',
        subject: { reference: `Patient/${stranger.id}` },
        context: { related: [{ reference: `CarePlan/${plan}` }] },
        content: [
          { attachment: { contentType: 'text/plain', data: Buffer.from('Niet van Lot').toString('base64') } },
        ],
      }),
    });
    expect(misfiled.status).to.equal(201);
    const byOperator = (await (await server.fetch(`CarePlan/${plan}/$export-reports`)).json()) as Json;
    expect(byOperator.type).to.equal('document');
    expect(JSON.stringify(byOperator)).not.to.contain(stranger.id);
    const hidden = await get(`CarePlan/${plan}/$export-reports`, 'outsider');
    const missing = await get('CarePlan/no-such-plan/$export-reports', 'outsider');
    expect(hidden.status).to.equal(404);
    expect(JSON.stringify(hidden.body).replaceAll(plan, 'X')).to.equal(
      JSON.stringify(missing.body).replaceAll('no-such-plan', 'X'),
    );
    // The patient's reports of every plan at once: the same reports here, as there is one plan.
    const all = await world.expectOk(get(`Patient/${patient}/$export-reports`, 'lot'));
    expect(all.type).to.equal('document');
    expect(all.entry[0].resource.title).to.contain('Lot');
    expect(all.entry.filter((e: Json) => e.resource.resourceType === 'DocumentReference')).to.have.length(2);
    expect((await get(`Patient/${patient}/$export-reports`, 'outsider')).status).to.equal(404);
    // Each report handed out is in the patient's access log, as the colleague's export.
    const log = await world.expectOk(
      get(`AuditEvent?patient=Patient/${patient}&subtype=$export-reports&_count=100`, 'lot'),
    );
    const byColleague = log.entry
      .map((e: Json) => e.resource)
      .filter((ev: Json) => ev.agent.some((a: Json) => a.who?.reference === `Practitioner/${ids.colleague}`));
    expect(byColleague.length).to.be.greaterThan(0);
  });
});
