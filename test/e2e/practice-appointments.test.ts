import { expect } from 'chai';
import { agendaWorld, CUSTODIAN, DAY, EN, HOUR, NL, type Json } from '../support/practice-agenda.ts';

const diagnostics = (body: Json) => ((body.issue ?? []) as Json[]).map((i) => i.diagnostics).join(' ');

/**
 * The webagenda of seed 004 ("Plan digitaal uw afspraak in bij de huisarts of Physician
 * assistant"): the practice publishes its agenda, the patient books and cancels within its
 * rules, the practice sees its bookings, and nobody else sees them.
 */
describe('patient portal: appointments in the practice webagenda (seed 004)', function () {
  this.timeout(180_000);
  const world = agendaWorld();
  const { call, create, book, cancel, ids, read, at, slot, mailTo } = world;
  let schedule: string;
  type SlotName =
    | 'tomorrow9'
    | 'tomorrow910'
    | 'tomorrow920'
    | 'soon'
    | 'past'
    | 'blocked'
    | 'bySystem'
    | 'day2-0'
    | 'day2-1'
    | 'day2-2'
    | 'day2-3'
    | 'day2-4'
    | 'day2-5';
  const slots = {} as Record<SlotName, string>;
  let eikSlot: string;
  let booked: Json;

  before(() => world.start());
  after(() => world.close());

  it('the assistant publishes the GP’s schedule and slots, held by the practice; the practice’s system adds one', async () => {
    const made = await create('bakker', {
      resourceType: 'Schedule',
      active: true,
      serviceType: [{ text: 'Consult huisarts' }],
      actor: [
        { reference: 'PractitionerRole/jansen-gp' },
        { reference: 'Organization/linde' },
        { reference: 'Location/linde-loc' },
      ],
    });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    expect(made.body.meta.tag).to.deep.include({ system: CUSTODIAN, code: 'linde' });
    schedule = made.body.id;
    const times: Partial<Record<SlotName, [number, string?]>> = {
      tomorrow9: [DAY],
      tomorrow910: [DAY + 10 * 60_000],
      tomorrow920: [DAY + 20 * 60_000],
      soon: [2 * HOUR],
      past: [-HOUR],
      blocked: [DAY + 30 * 60_000, 'busy-unavailable'],
    };
    for (const [name, [offset, status]] of Object.entries(times) as [SlotName, [number, string?]][]) {
      const s = await create('bakker', slot(schedule, offset, 10, status));
      expect(s.status, JSON.stringify(s.body)).to.equal(201);
      slots[name] = s.body.id;
    }
    for (let i = 0; i < 6; i++) {
      const s = await create('pieters', slot(schedule, 2 * DAY + i * 10 * 60_000));
      expect(s.status).to.equal(201);
      slots[`day2-${i}` as SlotName] = s.body.id;
    }
    const bySystem = await create('lindeSystem', slot(schedule, 3 * DAY));
    expect(bySystem.status, JSON.stringify(bySystem.body)).to.equal(201);
    expect(bySystem.body.meta.tag).to.deep.include({ system: CUSTODIAN, code: 'linde' });
    slots.bySystem = bySystem.body.id;
  });

  it('another practice’s staff, a hospital doctor and a patient cannot write the practice’s agenda', async () => {
    const intoLinde = await create('smit', slot(schedule, 4 * DAY), EN);
    expect(intoLinde.status).to.equal(403);
    expect(diagnostics(intoLinde.body)).to.contain('agenda of Organization/linde');
    const change = await call(`Slot/${slots.tomorrow9}`, 'smit', {
      method: 'PUT',
      body: JSON.stringify({ ...(await read(`Slot/${slots.tomorrow9}`)), status: 'busy' }),
    });
    expect(change.status).to.equal(403);
    const scheduleForLinde = await create('smit', {
      resourceType: 'Schedule',
      actor: [{ reference: 'Practitioner/smit' }, { reference: 'Organization/linde' }],
    });
    expect(scheduleForLinde.status).to.equal(403);
    expect((await create('internist', slot(schedule, 4 * DAY))).status).to.equal(403);
    expect((await create('p1', slot(schedule, 4 * DAY))).status).to.equal(403);
    // Nothing changed: the slot is still free.
    expect((await read(`Slot/${slots.tomorrow9}`)).status).to.equal('free');
    // De Eik publishes its own agenda.
    const eik = await create('smit', {
      resourceType: 'Schedule',
      actor: [{ reference: 'Practitioner/smit' }, { reference: 'Organization/eik' }],
    });
    expect(eik.status).to.equal(201);
    const eikFree = await create('smit', slot(eik.body.id, DAY));
    expect(eikFree.status).to.equal(201);
    eikSlot = eikFree.body.id;
  });

  it('the patient finds the free slots of their own practice only: not busy ones, not another practice’s', async () => {
    const found = await call(`Slot?schedule=Schedule/${schedule}&_count=100`, 'p1');
    expect(found.status).to.equal(200);
    const seen = ids(found.body);
    expect(seen).to.include(`Slot/${slots.tomorrow9}`).and.include(`Slot/${slots.bySystem}`);
    expect(seen).not.to.include(`Slot/${slots.blocked}`);
    expect((await call(`Slot/${slots.blocked}`, 'p1')).status).to.equal(404);
    const withSchedule = await call(
      `Slot?status=free&start=ge${encodeURIComponent(at(0))}&_include=Slot:schedule&_count=100`,
      'p1',
    );
    expect(ids(withSchedule.body)).to.include(`Schedule/${schedule}`).and.not.include(`Slot/${eikSlot}`);
    expect(ids((await call('Schedule', 'p1')).body)).to.deep.equal([`Schedule/${schedule}`]);
    // De Eik's patient sees De Eik's agenda, not De Linde's.
    expect(ids((await call('Slot?_count=100', 'p3')).body)).to.deep.equal([`Slot/${eikSlot}`]);
    expect((await call(`Slot/${slots.tomorrow9}`, 'p3')).status).to.equal(404);
  });

  it('the patient books: the slot becomes busy and one Appointment is made; the mail names time, GP and practice, not the reason', async () => {
    const made = await book('p1', slots.tomorrow9, [
      { name: 'reason', valueString: 'hoofdpijn sinds een week' },
    ]);
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    booked = made.body;
    expect(booked).to.include({ resourceType: 'Appointment', status: 'booked', start: at(DAY) });
    expect(booked.slot).to.deep.equal([{ reference: `Slot/${slots.tomorrow9}` }]);
    expect(booked.reasonCode).to.deep.equal([{ text: 'hoofdpijn sinds een week' }]);
    expect(booked.participant.map((p: Json) => [p.actor.reference, p.status])).to.deep.equal([
      ['Patient/p1', 'accepted'],
      ['PractitionerRole/jansen-gp', 'accepted'],
      ['Location/linde-loc', 'accepted'],
    ]);
    expect(booked.meta.tag).to.deep.include({ system: CUSTODIAN, code: 'linde' });
    expect((await read(`Slot/${slots.tomorrow9}`)).status).to.equal('busy');
    // Taken now: out of the patient's view, as everyone else's bookings are.
    expect((await call(`Slot/${slots.tomorrow9}`, 'p2')).status).to.equal(404);
    const mail = await mailTo('p1@example.org', `Appointment/${booked.id}`);
    expect(mail.subject).to.contain('Afspraak bevestigd');
    expect(mail.text).to.contain('Huisartsenpraktijk De Linde').and.contain('dr. Anna Jansen');
    expect(mail.text).to.contain('10:00'); // 09:00 UTC is 10:00 in Amsterdam in December
    expect(mail.text).not.to.contain('hoofdpijn');
    // Booking a taken slot is the bilingual 409 of a lost race.
    const again = await book('p2', slots.tomorrow9, [], EN);
    expect(again.status).to.equal(409);
    expect(diagnostics(again.body)).to.contain('This time was just taken').and.contain('choose another');
    const nl = await book('p2', slots.tomorrow9, [], NL);
    expect(diagnostics(nl.body)).to.contain('Dit tijdstip is net bezet');
  });

  it('refuses a past slot, a blocked one, another practice’s (as missing), bad input, and more than 3 open appointments', async () => {
    expect((await book('p1', slots.past, [], EN)).status).to.equal(409);
    expect((await book('p1', slots.blocked)).status).to.equal(409);
    const other = await book('p1', eikSlot);
    const missing = await book('p1', 'no-such-slot');
    expect(other.status).to.equal(404);
    expect(diagnostics(other.body).replace(eikSlot, 'X')).to.equal(
      diagnostics(missing.body).replace('no-such-slot', 'X'),
    );
    const notParameters = await call(`Slot/${slots.tomorrow910}/$book`, 'p1', {
      method: 'POST',
      body: JSON.stringify({ resourceType: 'Patient' }),
    });
    expect(notParameters.status).to.equal(400);
    expect(notParameters.body.resourceType).to.equal('OperationOutcome');
    const forSomeoneElse = await book('p1', slots.tomorrow910, [
      { name: 'patient', valueReference: { reference: 'Patient/p2' } },
    ]);
    expect(forSomeoneElse.status).to.equal(403);
    // p1 holds one; two more are allowed, the fourth is not (PRACTICE_MAX_OPEN_APPOINTMENTS = 3).
    expect((await book('p1', slots['day2-0'])).status).to.equal(201);
    expect((await book('p1', slots['day2-1'])).status).to.equal(201);
    const fourth = await book('p1', slots['day2-2'], [], EN);
    expect(fourth.status).to.equal(409);
    expect(diagnostics(fourth.body)).to.contain('at most 3');
    expect((await read(`Slot/${slots['day2-2']}`)).status).to.equal('free');
  });

  it('the patient sees their own appointments, past and future; another patient sees none and cannot cancel (as missing)', async () => {
    const past = await world.server.fetch('Appointment', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Appointment',
        status: 'fulfilled',
        start: at(-30 * DAY),
        end: at(-30 * DAY + 600_000),
        participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }],
      }),
    });
    const pastId = ((await past.json()) as Json).id;
    const mine = await call('Appointment?patient=Patient/p1&_count=100', 'p1');
    expect(ids(mine.body)).to.include(`Appointment/${booked.id}`).and.include(`Appointment/${pastId}`);
    const future = await call(`Appointment?patient=Patient/p1&date=ge${encodeURIComponent(at(0))}`, 'p1');
    expect(ids(future.body)).to.include(`Appointment/${booked.id}`).and.not.include(`Appointment/${pastId}`);
    const earlier = await call(`Appointment?patient=Patient/p1&date=lt${encodeURIComponent(at(0))}`, 'p1');
    expect(ids(earlier.body)).to.deep.equal([`Appointment/${pastId}`]);

    expect(ids((await call('Appointment?_count=100', 'p2')).body)).to.deep.equal([]);
    const hidden = await call(`Appointment/${booked.id}`, 'p2');
    const none = await call('Appointment/no-such-appointment', 'p2');
    expect(hidden.status).to.equal(404);
    expect(none.status).to.equal(404);
    const hisCancel = await cancel('p2', booked.id);
    const noneCancel = await cancel('p2', 'no-such-appointment');
    expect(hisCancel.status).to.equal(404);
    expect(diagnostics(hisCancel.body).replace(booked.id, 'X')).to.equal(
      diagnostics(noneCancel.body).replace('no-such-appointment', 'X'),
    );
    expect((await read(`Appointment/${booked.id}`)).status).to.equal('booked');
  });

  it('the practice sees its bookings; another practice’s staff and a doctor without relationship see nothing', async () => {
    const ours = await call(`Appointment?date=ge${encodeURIComponent(at(0))}&_count=100`, 'bakker');
    expect(ids(ours.body)).to.include(`Appointment/${booked.id}`);
    expect((await call(`Appointment/${booked.id}`, 'jansen')).status).to.equal(200);
    for (const who of ['smit', 'internist']) {
      const search = await call('Appointment?_count=100&_total=accurate', who);
      expect(search.status).to.equal(200);
      expect(ids(search.body), who).to.deep.equal([]);
      expect(search.body.total, who).to.equal(0);
      expect((await call(`Appointment/${booked.id}`, who)).status, who).to.equal(404);
      expect((await cancel(who, booked.id)).status, who).to.equal(404);
    }
    // The practice books for its patient; De Eik cannot book in De Linde's agenda.
    const forP2 = await book('bakker', slots.tomorrow910, [
      { name: 'patient', valueReference: { reference: 'Patient/p2' } },
    ]);
    expect(forP2.status, JSON.stringify(forP2.body)).to.equal(201);
    expect(forP2.body.participant[0].actor.reference).to.equal('Patient/p2');
    expect((await book('bakker', slots.tomorrow920)).status).to.equal(400);
    const smitBooks = await book('smit', slots.tomorrow920, [
      { name: 'patient', valueReference: { reference: 'Patient/p3' } },
    ]);
    expect(smitBooks.status).to.equal(403);
  });

  it('direct writes cannot go around the agenda: no booking by POST, no cancel by PUT, no freeing a booked slot', async () => {
    const appointment = await read(`Appointment/${booked.id}`);
    const byPut = await call(`Appointment/${booked.id}`, 'p1', {
      method: 'PUT',
      body: JSON.stringify({ ...appointment, status: 'cancelled' }),
    });
    expect(byPut.status).to.equal(403);
    const byPost = await create('p1', {
      resourceType: 'Appointment',
      status: 'booked',
      slot: [{ reference: `Slot/${slots.tomorrow920}` }],
      participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }],
    });
    expect(byPost.status).to.equal(403);
    const staffCancel = await call(`Appointment/${booked.id}`, 'bakker', {
      method: 'PUT',
      body: JSON.stringify({ ...appointment, status: 'cancelled' }),
    });
    expect(staffCancel.status).to.equal(422);
    const freeing = await call(`Slot/${slots.tomorrow9}`, 'bakker', {
      method: 'PUT',
      body: JSON.stringify({ ...(await read(`Slot/${slots.tomorrow9}`)), status: 'free' }),
      headers: EN,
    });
    expect(freeing.status).to.equal(409);
    expect(diagnostics(freeing.body)).to.contain(`Appointment/${booked.id}/$cancel`);
    // The practice may mark how it went.
    const arrived = await call(`Appointment/${booked.id}`, 'bakker', {
      method: 'PUT',
      body: JSON.stringify({ ...appointment, status: 'arrived' }),
    });
    expect(arrived.status, JSON.stringify(arrived.body)).to.equal(200);
  });

  it('the patient cancels in time and the slot is free again; too late they are told to call the practice', async () => {
    const soon = await book('p2', slots.soon);
    expect(soon.status).to.equal(201);
    const late = await cancel('p2', soon.body.id, undefined, EN);
    expect(late.status).to.equal(409);
    expect(diagnostics(late.body)).to.contain('24 hours').and.contain('call the practice');
    const lateNl = await cancel('p2', soon.body.id, undefined, NL);
    expect(diagnostics(lateNl.body)).to.contain('bel de praktijk');
    // The practice may still cancel it.
    const byPractice = await cancel('bakker', soon.body.id, 'huisarts ziek');
    expect(byPractice.status).to.equal(200);
    expect(byPractice.body.cancelationReason.coding[0].code).to.equal('prov');

    const mine = (await call('Appointment?patient=Patient/p1&status=booked&_count=100', 'p1')).body;
    const day2 = (mine.entry as Json[]).find(
      (e) => e.resource.slot[0].reference === `Slot/${slots['day2-0']}`,
    )!;
    const done = await cancel('p1', day2.resource.id, 'toch niet nodig');
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.status).to.equal('cancelled');
    expect(done.body.cancelationReason).to.deep.include({ text: 'toch niet nodig' });
    expect((await read(`Slot/${slots['day2-0']}`)).status).to.equal('free');
    expect((await call(`Slot/${slots['day2-0']}`, 'p2')).status).to.equal(200);
    const mail = await mailTo('p1@example.org', 'Afspraak geannuleerd');
    expect(mail.text).to.contain(`Appointment/${day2.resource.id as string}`);
    expect(mail.text).not.to.contain('toch niet nodig');
    // Cancelled is cancelled; the freed time is bookable again.
    expect((await cancel('p1', day2.resource.id)).status).to.equal(409);
    expect((await book('p2', slots['day2-0'])).status).to.equal(201);
  });

  it('the CapabilityStatement lists $book on Slot and $cancel on Appointment with their definitions', async () => {
    const rest = (await read('metadata')).rest[0];
    const op = (type: string, name: string) =>
      rest.resource.find((r: Json) => r.type === type).operation.find((o: Json) => o.name === name);
    expect(op('Slot', 'book').definition).to.equal('https://zorgpoort.nl/fhir/OperationDefinition/Slot-book');
    expect(op('Appointment', 'cancel').definition).to.equal(
      'https://zorgpoort.nl/fhir/OperationDefinition/Appointment-cancel',
    );
  });
});
