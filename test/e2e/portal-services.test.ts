import { expect } from 'chai';
import { diagnostics, EN, out, parameters, portalWorld, WORLD, type Json } from '../support/portal-world.ts';

const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
const HELD = { meta: { tag: [{ system: CUSTODIAN, code: 'linde' }] } };
/** The portal app asks to read and write the patient's own data (requests, bookings, questions). */
const APP_SCOPE = 'openid fhirUser offline_access launch/patient patient/*.cruds';
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T09:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();

/** Bob's prescription, and the GP's agenda at De Linde with two free slots in three days' time. */
const SERVICES_WORLD: [string, string, object][] = [
  ...WORLD,
  [
    'MedicationRequest',
    'bob-simva',
    {
      ...HELD,
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: { text: 'Simvastatine 40 mg tablet' },
      subject: { reference: 'Patient/bob' },
      requester: { reference: 'PractitionerRole/huisarts-linde' },
      dosageInstruction: [{ text: "1 maal per dag 1 tablet, 's avonds" }],
    },
  ],
  [
    'Schedule',
    'linde-gp',
    {
      ...HELD,
      active: true,
      serviceType: [{ text: 'Spreekuur huisarts' }],
      actor: [{ reference: 'PractitionerRole/huisarts-linde' }, { reference: 'Organization/linde' }],
    },
  ],
  ...[0, 1].map((i): [string, string, object] => [
    'Slot',
    `linde-gp-${i}`,
    {
      ...HELD,
      schedule: { reference: 'Schedule/linde-gp' },
      status: 'free',
      start: at(3 * DAY + i * 900_000),
      end: at(3 * DAY + (i + 1) * 900_000),
    },
  ]),
];

/**
 * Seed 004, "Sessiecodes": each online service opens with a code of its own. A session that
 * opened one service uses that service through its operation, without having opened the record
 * (the `record` service) — and with only that service open, the rest of the record stays closed.
 */
describe('Patient portal: a service opened alone', function () {
  this.timeout(180_000);
  const world = portalWorld({}, { world: SERVICES_WORLD });
  const email = 'bob@example.nl';
  const logins: Record<'econsult' | 'prescriptions' | 'appointments', string> = {} as never;

  before(async () => {
    world.clock.now = NOW;
    await world.start();
    const person = await world.registerAndConfirm(email);
    const linked = await world.link('assistent', person, 'Patient/bob', '111222345', email);
    expect(linked.status, JSON.stringify(linked.body)).to.equal(200);
    // One login session per service, each opening that service only.
    for (const service of ['econsult', 'prescriptions', 'appointments'] as const) {
      const token = await world.logIn(email, undefined, APP_SCOPE);
      const opened = await world.openService(token, await world.codeFor(token, email, service), service);
      expect(opened.status, JSON.stringify(opened.body)).to.equal(200);
      logins[service] = token;
    }
  });
  after(() => world.close());

  it('with only eConsult open, the patient asks the GP a question (201)', async () => {
    const asked = await world.call(
      'Patient/bob/$econsult',
      logins.econsult,
      parameters([{ name: 'question', valueString: 'Mag ik sporten met deze tabletten?' }]),
    );
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    expect(out(asked.body, 'question').resource.subject).to.deep.equal({ reference: 'Patient/bob' });
  });

  it('with only repeat prescriptions open, the patient asks for a repeat (201)', async () => {
    const asked = await world.call(
      'MedicationRequest/bob-simva/$request-repeat',
      logins.prescriptions,
      parameters([{ name: 'note', valueString: 'Bijna op' }]),
    );
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    expect(asked.body.focus).to.deep.equal({ reference: 'MedicationRequest/bob-simva' });
  });

  it('with only the webagenda open, the patient finds the free slots, books one and cancels the booking', async () => {
    const free = await world.call('Slot?status=free&_sort=start', logins.appointments);
    expect(free.status).to.equal(200);
    expect(free.body.entry.map((e: Json) => e.resource.id)).to.deep.equal(['linde-gp-0', 'linde-gp-1']);
    const booked = await world.call('Slot/linde-gp-0/$book', logins.appointments, parameters([]));
    expect(booked.status, JSON.stringify(booked.body)).to.equal(201);
    const cancelled = await world.call(
      `Appointment/${booked.body.id as string}/$cancel`,
      logins.appointments,
      parameters([{ name: 'reason', valueString: 'Toch niet nodig' }]),
    );
    expect(cancelled.status, JSON.stringify(cancelled.body)).to.equal(200);
    expect(cancelled.body.status).to.equal('cancelled');
  });

  it('with only eConsult open, the medication list stays closed and a repeat asks for its own code', async () => {
    const list = await world.call('MedicationRequest', logins.econsult, { headers: EN });
    expect(list.status).to.equal(403);
    expect(diagnostics(list.body))
      .to.match(/needs a session code/)
      .and.to.contain("'record'");
    const read = await world.call('MedicationRequest/bob-simva', logins.econsult, { headers: EN });
    expect(read.status).to.equal(403);
    const repeat = await world.call(
      'MedicationRequest/bob-simva/$request-repeat',
      logins.econsult,
      parameters([]),
    );
    expect(repeat.status).to.equal(403);
    expect(diagnostics(repeat.body))
      .to.contain('(prescriptions)')
      .and.to.match(/needs a session code/);
    const everything = await world.call('Patient/bob/$everything', logins.econsult, { headers: EN });
    expect(everything.status).to.equal(403);
  });

  it('with only the webagenda open, a booking is cancelled only through $cancel: reading Appointments stays closed', async () => {
    const booked = await world.call('Slot/linde-gp-1/$book', logins.appointments, parameters([]));
    expect(booked.status, JSON.stringify(booked.body)).to.equal(201);
    const id = booked.body.id as string;
    expect((await world.call(`Appointment/${id}`, logins.appointments, { headers: EN })).status).to.equal(
      403,
    );
    const change = await world.call(`Appointment/${id}`, logins.appointments, {
      method: 'PUT',
      headers: EN,
      body: JSON.stringify({ ...booked.body, status: 'cancelled' } as Json),
    });
    expect(change.status).to.equal(403);
    const elsewhere = await world.call(`Appointment/${id}/$cancel`, logins.econsult, parameters([]));
    expect(elsewhere.status).to.equal(403);
    expect(diagnostics(elsewhere.body)).to.contain('(appointments)');
  });

  it('with the record open, the services’ codes and rules are not skipped by plain REST', async () => {
    const token = await world.logIn(email, undefined, APP_SCOPE);
    expect((await world.openService(token, await world.codeFor(token, email))).status).to.equal(200);
    const portal = 'https://zorgpoort.nl/fhir/CodeSystem/practice-portal';
    const question = await world.call('Communication', token, {
      method: 'POST',
      headers: EN,
      body: JSON.stringify({
        resourceType: 'Communication',
        status: 'in-progress',
        category: [{ coding: [{ system: portal, code: 'econsult' }] }],
        subject: { reference: 'Patient/bob' },
        recipient: [{ reference: 'Organization/linde' }],
        payload: [{ contentString: 'Zonder sessiecode voor eConsult' }],
      }),
    });
    expect(question.status).to.equal(403);
    expect(diagnostics(question.body)).to.contain('$econsult');
    const repeat = await world.call('Task', token, {
      method: 'POST',
      headers: EN,
      body: JSON.stringify({
        resourceType: 'Task',
        status: 'requested',
        intent: 'proposal',
        code: { coding: [{ system: portal, code: 'repeat-prescription' }] },
        focus: { reference: 'MedicationRequest/bob-simva' },
        for: { reference: 'Patient/bob' },
        owner: { reference: 'Organization/linde' },
      }),
    });
    expect(repeat.status).to.equal(403);
    expect(diagnostics(repeat.body)).to.contain('$request-repeat');
    // Only the request $request-repeat made.
    const mine = await world.call(`Task?code=${encodeURIComponent(`${portal}|repeat-prescription`)}`, token);
    expect(mine.body.entry).to.have.length(1);
  });
});
