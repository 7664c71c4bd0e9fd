import { expect } from 'chai';
import { agendaWorld, DAY, EN, patient, type Json } from '../support/practice-agenda.ts';

const diagnostics = (body: Json) => ((body.issue ?? []) as Json[]).map((i) => i.diagnostics).join(' ');
const PATIENTS = Array.from({ length: 20 }, (_, i) => `c${i + 1}`);

/**
 * No double booking (issue 18: "20 patients booking the same slot at once → exactly one
 * Appointment"): real HTTP, real patient logins, on whichever database the run uses (PGlite, or
 * Postgres with DATABASE_URL, where the requests really run side by side).
 */
describe('patient portal: one slot, many patients at once (seed 004)', function () {
  this.timeout(300_000);
  const world = agendaWorld();
  const { call, create, book, read, slot } = world;
  let schedule: string;

  before(async () => {
    await world.start(PATIENTS.map((id) => patient(id, 'linde')));
    for (const id of PATIENTS) world.tokens[id] = await world.patientToken(id);
    const made = await create('bakker', {
      resourceType: 'Schedule',
      actor: [{ reference: 'Practitioner/jansen' }, { reference: 'Organization/linde' }],
    });
    expect(made.status).to.equal(201);
    schedule = made.body.id;
  });
  after(() => world.close());

  it('20 patients book the same slot at once: exactly one Appointment, 19 are told the time was just taken', async () => {
    const s = await create('bakker', slot(schedule, DAY));
    expect(s.status).to.equal(201);
    const answers = await Promise.all(PATIENTS.map((id) => book(id, s.body.id, [], EN)));
    const statuses = answers.map((a) => a.status);
    expect(
      statuses.filter((x) => x === 201),
      JSON.stringify(statuses),
    ).to.have.length(1);
    expect(
      statuses.filter((x) => x === 409),
      JSON.stringify(statuses),
    ).to.have.length(19);
    for (const lost of answers.filter((a) => a.status === 409)) {
      expect(lost.body.resourceType).to.equal('OperationOutcome');
      expect(diagnostics(lost.body)).to.contain('This time was just taken').and.contain('choose another');
    }
    const winner = answers.find((a) => a.status === 201)!.body;

    // Afterwards, by search: one Appointment for the slot, the slot busy, changed once.
    const appointments = await read(`Appointment?slot=Slot/${s.body.id}&_total=accurate`);
    expect(appointments.total).to.equal(1);
    expect(appointments.entry[0].resource.id).to.equal(winner.id);
    const busy = await read(`Slot?_id=${s.body.id}&status=busy&_total=accurate`);
    expect(busy.total).to.equal(1);
    const history = await read(`Slot/${s.body.id}/_history`);
    expect(history.entry.map((e: Json) => e.resource.status)).to.deep.equal(['busy', 'free']);
    // The winner sees their appointment; the others see none.
    const who = winner.participant[0].actor.reference.split('/')[1];
    expect((await call(`Appointment/${winner.id}`, who)).status).to.equal(200);
    const other = PATIENTS.find((id) => id !== who)!;
    expect((await call('Appointment', other)).body.entry ?? []).to.deep.equal([]);
  });

  it('one patient booking five slots at once holds no more than the practice allows (3)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await create('bakker', slot(schedule, 2 * DAY + i * 600_000))).body.id);
    const answers = await Promise.all(ids.map((id) => book('p2', id, [], EN)));
    const statuses = answers.map((a) => a.status);
    const held = (await read('Appointment?patient=Patient/p2&status=booked&_total=accurate')).total;
    expect(statuses.filter((x) => x === 201).length, JSON.stringify(statuses)).to.equal(3);
    expect(held).to.equal(3);
    for (const refused of answers.filter((a) => a.status !== 201)) {
      expect(refused.status).to.equal(409);
      expect(diagnostics(refused.body)).to.contain('at most 3');
    }
    const free = await read(`Slot?_id=${ids.join(',')}&status=free&_total=accurate`);
    expect(free.total).to.equal(5 - held);
  });
});
