import { expect } from 'chai';
import { putResources } from '../support/harness.ts';
import {
  CUSTODIAN,
  diagnostics,
  entries,
  out,
  patient,
  PORTAL,
  post,
  practiceWorld,
  type Json,
} from '../support/practice-requests.ts';

const OMEPRAZOL = {
  coding: [{ system: 'http://example.org/gpk', code: '12345', display: 'Omeprazol 20mg' }],
};
const METFORMINE = {
  coding: [{ system: 'http://example.org/gpk', code: '67890', display: 'Metformine 500mg' }],
};
const dosage = [
  {
    text: '1x per dag 1 capsule',
    timing: {
      repeat: {
        frequency: 1,
        period: 1,
        periodUnit: 'd',
        boundsPeriod: { start: '2027-01-01', end: '2027-03-01' },
      },
    },
    doseAndRate: [{ doseQuantity: { value: 1, unit: 'capsule' } }],
  },
];
const prescription = (id: string, who: string, medication: Json, fields: Json = {}) =>
  [
    'MedicationRequest',
    id,
    {
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: medication,
      subject: { reference: `Patient/${who}` },
      authoredOn: '2027-01-01',
      requester: { reference: 'PractitionerRole/gp-role' },
      dosageInstruction: dosage,
      dispenseRequest: {
        quantity: { value: 60, unit: 'capsule' },
        validityPeriod: { start: '2027-01-01', end: '2027-07-01' },
      },
      ...fields,
    },
  ] as const;
const REPEAT_CODE = `${PORTAL}|repeat-prescription`;

describe('repeat prescriptions: the patient asks, the practice decides, the patient sees (seed 004)', function () {
  this.timeout(180_000);
  const world = practiceWorld();
  const { call, mailTo, mailsTo } = world;
  let taskId: string;
  let newPrescription: string;

  before(async () => {
    await world.start({ reminderIntervalSeconds: 0 });
    await putResources(world.server, [
      patient('p1', 'Jansen', 'jan@example.org', 'praktijk'),
      patient('p2', 'Pietersen', 'piet@example.org', 'praktijk'),
      patient('p3', 'Klaassen', 'klaas@example.org'),
      patient('p4', 'Vier', 'vier@example.org', 'praktijk'),
      prescription('mr1', 'p1', OMEPRAZOL),
      prescription('mr1-again', 'p1', OMEPRAZOL, { authoredOn: '2026-06-01' }),
      prescription('mr-stopped', 'p1', METFORMINE, { status: 'stopped' }),
      prescription('mr2', 'p2', METFORMINE),
      prescription('mr3', 'p3', OMEPRAZOL),
      prescription('mr4', 'p4', OMEPRAZOL),
    ]);
    for (const p of ['p1', 'p2', 'p3', 'p4']) await world.login(p, `Patient/${p}`);
  });
  after(() => world.close());

  it('the patient asks for a repeat from their medication list: a Task for the practice, held by it', async () => {
    const asked = await call(
      'MedicationRequest/mr1/$request-repeat',
      'p1',
      post([
        { name: 'note', valueString: 'Graag voor vrijdag' },
        { name: 'pharmacy', valueReference: { reference: 'Organization/apotheek' } },
      ]),
    );
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    const task = asked.body;
    taskId = task.id;
    expect(task).to.deep.include({
      resourceType: 'Task',
      status: 'requested',
      intent: 'proposal',
      focus: { reference: 'MedicationRequest/mr1' },
      for: { reference: 'Patient/p1' },
      requester: { reference: 'Patient/p1' },
      owner: { reference: 'Organization/praktijk' },
      authoredOn: new Date(world.clock.now).toISOString(),
    });
    expect(task.code.coding[0]).to.include({ system: PORTAL, code: 'repeat-prescription' });
    expect(task.note[0].text).to.equal('Graag voor vrijdag');
    expect(task.input[0].valueReference).to.deep.equal({ reference: 'Organization/apotheek' });
    expect(task.meta.tag).to.deep.include({ system: CUSTODIAN, code: 'praktijk' });
    // The patient follows it: by id, by the prescription, by their requests of this kind.
    expect((await call(`Task/${taskId}`, 'p1')).body.status).to.equal('requested');
    const byFocus = await call('Task?focus=MedicationRequest/mr1', 'p1');
    expect(entries(byFocus.body).map((t) => t.id)).to.deep.equal([taskId]);
    const mine = await call(`Task?patient=Patient/p1&code=${encodeURIComponent(REPEAT_CODE)}`, 'p1');
    expect(entries(mine.body).map((t) => t.id)).to.deep.equal([taskId]);
  });

  it('a second request for the same medication while one is open: 409 naming the open one', async () => {
    const again = await call('MedicationRequest/mr1/$request-repeat', 'p1', post());
    expect(again.status).to.equal(409);
    expect(diagnostics(again.body)).to.contain(`Task/${taskId}`).and.contain('already asked');
    // Another prescription of the same medication (same code) counts as the same.
    const same = await call('MedicationRequest/mr1-again/$request-repeat', 'p1', post());
    expect(same.status).to.equal(409);
    expect(diagnostics(same.body)).to.contain(`Task/${taskId}`);
    // In Dutch for a Dutch reader.
    const nl = await call(
      'MedicationRequest/mr1/$request-repeat',
      'p1',
      post([], { 'accept-language': 'nl' }),
    );
    expect(diagnostics(nl.body)).to.contain('U heeft al een herhaling');
  });

  it('two requests for the same medication at once: one is made, the other is told of it', async () => {
    const both = await Promise.all(
      [1, 2, 3].map(() => call('MedicationRequest/mr4/$request-repeat', 'p4', post())),
    );
    expect(both.map((r) => r.status).sort()).to.deep.equal([201, 409, 409]);
    const made = both.find((r) => r.status === 201)!.body.id;
    for (const r of both.filter((x) => x.status === 409))
      expect(diagnostics(r.body)).to.contain(`Task/${made}`);
    const tasks = await call('Task?focus=MedicationRequest/mr4', 'p4');
    expect(entries(tasks.body)).to.have.length(1);
  });

  it('a stopped medication is refused with what to do; another patient’s prescription answers as a missing one', async () => {
    const stopped = await call('MedicationRequest/mr-stopped/$request-repeat', 'p1', post());
    expect(stopped.status).to.equal(422);
    expect(diagnostics(stopped.body)).to.contain('stopped').and.contain('Call your practice');
    const other = await call('MedicationRequest/mr2/$request-repeat', 'p1', post());
    const missing = await call('MedicationRequest/nope/$request-repeat', 'p1', post());
    expect(other.status).to.equal(404);
    expect(missing.status).to.equal(404);
    expect(diagnostics(other.body).replace('mr2', 'X')).to.equal(
      diagnostics(missing.body).replace('nope', 'X'),
    );
    // Nothing was made for either.
    const tasks = await call('Task?focus=MedicationRequest/mr2', 'gp');
    expect(entries(tasks.body)).to.have.length(0);
  });

  it('bad input is a 4xx the patient can act on: a long note, a pharmacy that is no reference or unknown, no practice', async () => {
    const long = await call(
      'MedicationRequest/mr2/$request-repeat',
      'p2',
      post([{ name: 'note', valueString: 'x'.repeat(501) }]),
    );
    expect(long.status).to.equal(400);
    expect(diagnostics(long.body)).to.contain('at most 500');
    const notRef = await call(
      'MedicationRequest/mr2/$request-repeat',
      'p2',
      post([{ name: 'pharmacy', valueString: 'apotheek' }]),
    );
    expect(notRef.status).to.equal(400);
    const unknown = await call(
      'MedicationRequest/mr2/$request-repeat',
      'p2',
      post([{ name: 'pharmacy', valueReference: { reference: 'Organization/nergens' } }]),
    );
    expect(unknown.status).to.equal(422);
    expect(diagnostics(unknown.body)).to.contain('not a pharmacy known here');
    const noPractice = await call('MedicationRequest/mr3/$request-repeat', 'p3', post());
    expect(noPractice.status).to.equal(422);
    expect(diagnostics(noPractice.body)).to.contain('names no GP practice');
  });

  it('the practice’s staff see the request; another practice’s GP and assistant see nothing and cannot decide', async () => {
    const query = `Task?owner=Organization/praktijk&status=requested&code=${encodeURIComponent(REPEAT_CODE)}`;
    for (const who of ['gp', 'pa', 'assistent']) {
      const seen = await call(query, who);
      expect(
        entries(seen.body)
          .map((t) => t.for.reference)
          .sort(),
        who,
      ).to.deep.equal(['Patient/p1', 'Patient/p4']);
      expect(
        entries(seen.body).map((t) => t.id),
        who,
      ).to.include(taskId);
    }
    for (const who of ['anderegp', 'andereassistent']) {
      const list = await call(`Task?code=${encodeURIComponent(REPEAT_CODE)}`, who);
      expect(list.status).to.equal(200);
      expect(entries(list.body), who).to.have.length(0);
      expect((await call(`Task/${taskId}`, who)).status, who).to.equal(404);
      const decide = await call(
        `Task/${taskId}/$decide-repeat`,
        who,
        post([{ name: 'decision', valueCode: 'approve' }]),
      );
      const missing = await call(
        'Task/nope/$decide-repeat',
        who,
        post([{ name: 'decision', valueCode: 'approve' }]),
      );
      expect(decide.status, who).to.equal(404);
      expect(diagnostics(decide.body).replace(taskId, 'X')).to.equal(
        diagnostics(missing.body).replace('nope', 'X'),
      );
    }
    // The patient does not decide their own request.
    const self = await call(
      `Task/${taskId}/$decide-repeat`,
      'p1',
      post([{ name: 'decision', valueCode: 'approve' }]),
    );
    expect(self.status).to.equal(403);
  });

  it('the assistant prepares but does not approve; approving makes a new prescription and completes the Task', async () => {
    const refused = await call(
      `Task/${taskId}/$decide-repeat`,
      'assistent',
      post([{ name: 'decision', valueCode: 'approve' }]),
    );
    expect(refused.status).to.equal(403);
    expect(diagnostics(refused.body)).to.contain('GP or physician assistant').and.contain('decision=prepare');
    const prepared = await call(
      `Task/${taskId}/$decide-repeat`,
      'assistent',
      post([
        { name: 'decision', valueCode: 'prepare' },
        { name: 'note', valueString: 'Laatste controle was in januari' },
      ]),
    );
    expect(prepared.status, JSON.stringify(prepared.body)).to.equal(200);
    expect(out(prepared.body, 'task').resource).to.deep.include({ status: 'in-progress' });
    expect(out(prepared.body, 'task').resource.businessStatus.coding[0].code).to.equal('prepared');
    expect(world.mailsTo('jan@example.org')).to.have.length(0);

    const before = world.smtp.messages.length;
    world.clock.now += 3_600_000;
    const approved = await call(
      `Task/${taskId}/$decide-repeat`,
      'gp',
      post([{ name: 'decision', valueCode: 'approve' }]),
    );
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    const made = out(approved.body, 'medicationRequest').resource;
    newPrescription = made.id;
    const now = new Date(world.clock.now).toISOString();
    expect(made).to.deep.include({
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: OMEPRAZOL,
      subject: { reference: 'Patient/p1' },
      requester: { reference: 'PractitionerRole/gp-role' },
      priorPrescription: { reference: 'MedicationRequest/mr1' },
      authoredOn: now,
    });
    // The same dosage, its bounds and the validity moved to start now; the pharmacy the patient named.
    expect(made.dosageInstruction[0].text).to.equal('1x per dag 1 capsule');
    expect(made.dosageInstruction[0].timing.repeat.boundsPeriod).to.deep.equal({
      start: '2027-03-01',
      end: '2027-04-29',
    });
    expect(made.dispenseRequest.quantity).to.deep.equal({ value: 60, unit: 'capsule' });
    expect(made.dispenseRequest.validityPeriod.start).to.equal('2027-03-01');
    expect(made.dispenseRequest.performer).to.deep.equal({ reference: 'Organization/apotheek' });
    const task = out(approved.body, 'task').resource;
    expect(task.status).to.equal('completed');
    expect(task.output[0].valueReference).to.deep.equal({
      reference: `MedicationRequest/${newPrescription}`,
    });
    expect(task.note.map((n: Json) => n.text)).to.deep.equal([
      'Graag voor vrijdag',
      'Laatste controle was in januari',
    ]);

    // The patient sees the status and the new prescription on their list.
    const seen = await call(`Task/${taskId}`, 'p1');
    expect(seen.body.status).to.equal('completed');
    const list = await call('MedicationRequest?status=active&_sort=-authoredon', 'p1');
    expect(entries(list.body).map((m) => m.id)).to.include(newPrescription);
    // An e-mail that it was handled: no medication, no outcome.
    const mail = await mailTo('jan@example.org', before);
    expect(mail.subject).to.contain('Uw aanvraag is behandeld');
    expect(mail.text)
      .to.contain('herhaalrecept')
      .and.contain('Huisartsenpraktijk De Linde')
      .and.contain('https://portaal.delinde.test');
    for (const secret of ['Omeprazol', '12345', 'goedgekeurd', 'approved', 'mr1', taskId]) {
      expect(`${mail.subject} ${mail.text}`).not.to.contain(secret);
    }
    // Decided is decided.
    const twice = await call(`Task/${taskId}/$decide-repeat`, 'pa', post([{ name: 'reject' }]));
    expect(twice.status).to.equal(400);
    const again = await call(
      `Task/${taskId}/$decide-repeat`,
      'pa',
      post([
        { name: 'decision', valueCode: 'reject' },
        { name: 'reason', valueString: 'x' },
      ]),
    );
    expect(again.status).to.equal(409);
    expect(mailsTo('jan@example.org')).to.have.length(1);
  });

  it('the physician assistant rejects with a reason the patient reads; without a reason it is refused', async () => {
    const asked = await call('MedicationRequest/mr2/$request-repeat', 'p2', post());
    expect(asked.status).to.equal(201);
    const id = asked.body.id;
    const noReason = await call(
      `Task/${id}/$decide-repeat`,
      'pa',
      post([{ name: 'decision', valueCode: 'reject' }]),
    );
    expect(noReason.status).to.equal(400);
    expect(diagnostics(noReason.body)).to.contain("'reason'");
    const before = world.smtp.messages.length;
    const rejected = await call(
      `Task/${id}/$decide-repeat`,
      'pa',
      post([
        { name: 'decision', valueCode: 'reject' },
        { name: 'reason', valueString: 'Maak eerst een afspraak voor controle' },
      ]),
    );
    expect(rejected.status).to.equal(200);
    const seen = await call(`Task/${id}`, 'p2');
    expect(seen.body.status).to.equal('rejected');
    expect(seen.body.statusReason.text).to.equal('Maak eerst een afspraak voor controle');
    const mail = await mailTo('piet@example.org', before);
    expect(mail.text).not.to.contain('afspraak voor controle');
    expect(mail.text).not.to.contain('Metformine');
    // No prescription was made.
    const list = await call('MedicationRequest?subject=Patient/p2', 'p2');
    expect(entries(list.body).map((m) => m.id)).to.deep.equal(['mr2']);
    // Rejected, the patient may ask again.
    expect((await call('MedicationRequest/mr2/$request-repeat', 'p2', post())).status).to.equal(201);
  });

  it('another patient reads neither the request nor the new prescription', async () => {
    expect((await call(`Task/${taskId}`, 'p2')).status).to.equal(404);
    expect((await call(`MedicationRequest/${newPrescription}`, 'p2')).status).to.equal(404);
    const search = await call(`Task?code=${encodeURIComponent(REPEAT_CODE)}`, 'p2');
    expect(entries(search.body).every((t) => t.for.reference === 'Patient/p2')).to.equal(true);
  });
});
