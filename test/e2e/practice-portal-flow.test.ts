import { expect } from 'chai';
import { practiceSeed } from '../../seed/data/practice/index.ts';
import { diagnostics, ids, out, parameters, portalWorld, type Json } from '../support/portal-world.ts';

// His portal account's address, not the one on his Patient record: the portal's mails go here.
const HENK = 'henk@thuis.demo.zorgpoort.invalid';
const ON_RECORD = 'henk.mulder@demo.zorgpoort.invalid';
const PATIENT = 'Patient/gp-patient-henk-mulder';
const QUESTION = 'Mijn enkels zijn dik sinds de nieuwe tabletten: moet ik stoppen?';
const ANSWER = 'Niet stoppen; kom deze week langs op het spreekuur.';

/**
 * Seed 004 from end to end on its demo (`npm run seed -- practice`), as one patient lives it:
 * Henk registers by e-mail, confirms, sees nothing medical; the assistant links him after
 * checking BSN and address; each online service opens with a session code; he asks for a
 * repeat prescription that the GP approves, books a slot in the webagenda, asks an eConsult the
 * GP answers (the mail says only that an answer waits), and reads his record and who looked at it.
 */
describe('the patient portal from end to end: register → link → session codes → services (seed 004 demo)', function () {
  this.timeout(300_000);
  const clock = { now: Date.parse('2026-12-07T09:00:00Z') };
  const world = practiceSeed(new Date(clock.now)).flatMap((part) =>
    part.resources.map((r: Json) => [r.resourceType, r.id, r] as [string, string, object]),
  );
  const w = portalWorld(
    {},
    {
      world,
      staff: {
        assistant: 'gp-anker-assistent-jansen',
        gp: 'gp-anker-huisarts-bakker',
        other: 'gp-brug-assistent-visser',
      },
    },
  );
  w.clock.now = clock.now;
  let person = '';
  let henk = '';

  before(() => w.start());
  after(() => w.close());

  /** Opens `service` for Henk's login session with a code from his mailbox. */
  async function open(service: string) {
    const code = await w.codeFor(henk, HENK, service);
    const opened = await w.openService(henk, code, service);
    expect(opened.status, JSON.stringify(opened.body)).to.equal(200);
  }

  it('Henk registers by e-mail, confirms within 24 hours and logs in; the practice is told', async () => {
    const before = w.smtp.messages.length;
    person = await w.registerAndConfirm(HENK, 'gp-het-anker');
    expect(person).to.match(/^Person\//);
    const told = await w.mailTo('praktijk@het-anker.demo.zorgpoort.invalid', before);
    expect(told.text).to.contain('Person?organization=Organization/gp-het-anker');
    // The portal app asks to read and write the patient's own data (requests, bookings, questions).
    henk = await w.logIn(HENK, undefined, 'openid fhirUser offline_access launch/patient patient/*.cruds');
  });

  it('before the practice links the account he sees nothing medical', async () => {
    const meds = await w.call('MedicationRequest', henk);
    expect(meds.status).to.equal(403);
    expect(diagnostics(meds.body)).to.match(/not linked|niet gekoppeld/i);
    const waiting = await w.call(
      'Person?organization=Organization/gp-het-anker&link:missing=true',
      'assistant',
    );
    expect(ids(waiting.body)).to.deep.equal([person]);
    const elsewhere = await w.call('Person?link:missing=true', 'other');
    expect(ids(elsewhere.body)).to.deep.equal([]);
  });

  it('the assistant links it after checking BSN and address; Henk is mailed', async () => {
    const before = w.smtp.messages.length;
    const linked = await w.link('assistant', person, PATIENT, '999994013', HENK);
    expect(linked.status, JSON.stringify(linked.body)).to.equal(200);
    const mail = await w.mailTo(HENK, before);
    expect(mail.text).to.match(/gekoppeld/);
  });

  it('his record opens with a session code: medication list, results, and nobody else’s', async () => {
    const closed = await w.call('MedicationRequest', henk);
    expect(closed.status).to.equal(403);
    expect(diagnostics(closed.body)).to.contain('$session-code');
    await open('record');
    const meds = await w.call('MedicationRequest?status=active', henk);
    expect(ids(meds.body)).to.deep.equal(['MedicationRequest/gp-mr-henk-simvastatine']);
    const results = await w.call('Observation', henk);
    expect(ids(results.body)).to.deep.equal(['Observation/gp-obs-henk-bloeddruk']);
    expect((await w.call('MedicationRequest/gp-mr-marieke-metformine', henk)).status).to.equal(404);
  });

  it('a repeat prescription: asked with its own session code, approved by the GP, the status seen', async () => {
    const path = 'MedicationRequest/gp-mr-henk-simvastatine/$request-repeat';
    const withoutCode = await w.call(path, henk, parameters([]));
    expect(withoutCode.status).to.equal(403);
    await open('prescriptions');
    const asked = await w.call(path, henk, parameters([{ name: 'note', valueString: 'Bijna op' }]));
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    const task = asked.body as Json;
    const before = w.smtp.messages.length;
    const decided = await w.call(
      `Task/${task.id}/$decide-repeat`,
      'gp',
      parameters([{ name: 'decision', valueCode: 'approve' }]),
    );
    expect(decided.status, JSON.stringify(decided.body)).to.equal(200);
    const mail = await w.mailTo(HENK, before);
    expect(mail.text).to.not.match(/simvastatine/i);
    expect(w.mailsTo(ON_RECORD)).to.deep.equal([]);
    const seen = await w.call(`Task/${task.id}`, henk);
    expect(seen.body.status).to.equal('completed');
    const notTheirs = await w.call(`Task/${task.id}`, 'other');
    expect(notTheirs.status).to.equal(404);
  });

  it('the webagenda: a free slot of the GP booked, once', async () => {
    await open('appointments');
    const free = await w.call(
      'Slot?schedule=Schedule/gp-agenda-gp-anker-huisarts-bakker&status=free&_sort=start&_count=1',
      henk,
    );
    expect(free.status).to.equal(200);
    const slot = free.body.entry[0].resource as Json;
    const booked = await w.call(
      `Slot/${slot.id}/$book`,
      henk,
      parameters([{ name: 'reason', valueString: 'Dikke enkels' }]),
    );
    expect(booked.status, JSON.stringify(booked.body)).to.equal(201);
    expect(booked.body.start).to.equal(slot.start);
    const again = await w.call(`Slot/${slot.id}/$book`, henk, parameters([]));
    expect(again.status).to.equal(409);
    const mine = await w.call(`Appointment?patient=${PATIENT}`, henk);
    expect(ids(mine.body)).to.deep.equal([`Appointment/${booked.body.id}`]);
  });

  it('an eConsult: the GP answers, the mail says only that an answer waits, Henk reads it', async () => {
    await open('econsult');
    const asked = await w.call(
      `${PATIENT}/$econsult`,
      henk,
      parameters([{ name: 'question', valueString: QUESTION }]),
    );
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    const question = out(asked.body, 'question').resource as Json;
    const before = w.smtp.messages.length;
    const answered = await w.call(
      `Communication/${question.id}/$answer`,
      'gp',
      parameters([{ name: 'answer', valueString: ANSWER }]),
    );
    expect(answered.status, JSON.stringify(answered.body)).to.equal(200);
    const mail = await w.mailTo(HENK, before);
    expect(`${mail.subject} ${mail.text} ${mail.html || ''}`).to.not.contain('enkels');
    expect(`${mail.subject} ${mail.text} ${mail.html || ''}`).to.not.contain('spreekuur');
    const answerId = (out(answered.body, 'answer').resource as Json).id as string;
    const read = await w.call(`Communication/${answerId}`, henk);
    expect(read.body.payload[0].contentString).to.equal(ANSWER);
    expect(read.body.inResponseTo[0].reference).to.equal(`Communication/${question.id}`);
    expect((await w.call(`Communication/${answerId}`, 'other')).status).to.equal(404);
  });

  it('his access log shows the practice at work in his record', async () => {
    const log = await w.call(`AuditEvent?patient=${PATIENT}&_count=200`, henk);
    expect(log.status).to.equal(200);
    const who = (log.body.entry ?? []).flatMap((e: Json) =>
      (e.resource.agent ?? []).map((a: Json) => a.who?.reference as string | undefined),
    );
    expect(who).to.include('Practitioner/gp-anker-huisarts-bakker');
  });
  it("the practice's work lists hold its own items; the other practice's assistant finds none", async () => {
    const PORTAL = encodeURIComponent('https://zorgpoort.nl/fhir/CodeSystem/practice-portal|');
    const HELD = encodeURIComponent('https://zorgpoort.nl/fhir/CodeSystem/custodian|gp-het-anker');
    const lists = {
      accounts: 'Person?organization=Organization/gp-het-anker',
      repeats: `Task?owner=Organization/gp-het-anker&code=${PORTAL}repeat-prescription`,
      econsults: `Task?owner=Organization/gp-het-anker&code=${PORTAL}econsult`,
      bookings: `Appointment?_tag=${HELD}&date=ge2026-12-07`,
    };
    const sizes: Record<string, number[]> = {};
    for (const [name, path] of Object.entries(lists)) {
      const mine = await w.call(path, 'assistant');
      const theirs = await w.call(path, 'other');
      expect(mine.status, path).to.equal(200);
      expect(theirs.status, path).to.equal(200);
      sizes[name] = [ids(mine.body).length, ids(theirs.body).length];
    }
    expect(sizes).to.deep.equal({ accounts: [1, 0], repeats: [1, 0], econsults: [1, 0], bookings: [1, 0] });
    const waiting = await w.call(
      'Person?organization=Organization/gp-het-anker&link:missing=true',
      'assistant',
    );
    expect(ids(waiting.body)).to.deep.equal([]);
  });
});
