import { expect } from 'chai';
import { putResources } from '../support/harness.ts';
import {
  diagnostics,
  EN,
  out,
  patient,
  PORTAL,
  post,
  practiceWorld,
  type Json,
} from '../support/practice-requests.ts';

const ECONSULT = { coding: [{ system: PORTAL, code: 'econsult' }] };
const REPEAT = { coding: [{ system: PORTAL, code: 'repeat-prescription' }] };

/** A question to the practice as a patient's app could POST it, skipping `$econsult`. */
const question = (text: string): Json => ({
  resourceType: 'Communication',
  status: 'in-progress',
  category: [ECONSULT],
  subject: { reference: 'Patient/p1' },
  sender: { reference: 'Patient/p1' },
  recipient: [{ reference: 'Organization/praktijk' }],
  payload: [{ contentString: text }],
});
/** A repeat request as a patient's app could POST it, skipping `$request-repeat`. */
const repeatTask: Json = {
  resourceType: 'Task',
  status: 'requested',
  intent: 'proposal',
  code: REPEAT,
  focus: { reference: 'MedicationRequest/mr1' },
  for: { reference: 'Patient/p1' },
  requester: { reference: 'Patient/p1' },
  owner: { reference: 'Organization/praktijk' },
};

/**
 * The portal's requests (seed 004: repeat prescriptions, eConsult) hold rules their operations
 * keep — a session code per service, one open request per medication, the question's length and
 * how many wait, who decides and answers. A patient's app with write scopes, or the practice's
 * GP, cannot make or move them with plain REST instead (server/access/rules/portal-managed.ts).
 */
describe('portal requests are made and moved only through their operations', function () {
  this.timeout(180_000);
  const world = practiceWorld();
  const { call } = world;
  const send = (who: string, method: string, path: string, resource: Json) =>
    call(path, who, { method, headers: EN, body: JSON.stringify(resource) });
  /** How many the trusted loader finds: what the server stored. */
  const stored = async (query: string) => ((await world.read(`${query}&_summary=count`)) as Json).total;

  before(async () => {
    await world.start({ reminderIntervalSeconds: 0, econsultMaxChars: 200, econsultMaxOpen: 1 });
    await putResources(world.server, [
      patient('p1', 'Jansen', 'jan@example.org', 'praktijk'),
      [
        'MedicationRequest',
        'mr1',
        {
          status: 'active',
          intent: 'order',
          medicationCodeableConcept: { text: 'Omeprazol 20 mg capsule' },
          subject: { reference: 'Patient/p1' },
          requester: { reference: 'PractitionerRole/gp-role' },
        },
      ],
    ]);
    await world.login('p1', 'Patient/p1');
  });
  after(() => world.close());

  it('a patient’s app cannot POST an eConsult question past $econsult (403 naming it, nothing stored)', async () => {
    const direct = await send('p1', 'POST', 'Communication', question('x'.repeat(500)));
    expect(direct.status).to.equal(403);
    expect(diagnostics(direct.body)).to.contain('$econsult').and.to.contain('$answer');
    const inBundle = await send('p1', 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: question('Via een bundel'), request: { method: 'POST', url: 'Communication' } }],
    });
    expect(inBundle.status).to.equal(403);
    expect(await stored(`Communication?category=${PORTAL}|econsult`)).to.equal(0);
  });

  it('a patient’s app cannot POST a repeat request past $request-repeat (403 naming it, nothing stored)', async () => {
    const direct = await send('p1', 'POST', 'Task', repeatTask);
    expect(direct.status).to.equal(403);
    expect(diagnostics(direct.body)).to.contain('$request-repeat').and.to.contain('$decide-repeat');
    expect(await stored(`Task?code=${PORTAL}|repeat-prescription`)).to.equal(0);
    // Nor an eConsult Task, nor a plain Task that gets the code by an update.
    const econsultTask = await send('p1', 'POST', 'Task', { ...repeatTask, code: ECONSULT });
    expect(econsultTask.status).to.equal(403);
    const plain = await send('p1', 'POST', 'Task', { ...repeatTask, code: { text: 'Herinnering' } });
    expect(plain.status, JSON.stringify(plain.body)).to.equal(201);
    const coded = await send('p1', 'PUT', `Task/${plain.body.id as string}`, { ...plain.body, code: REPEAT });
    expect(coded.status).to.equal(403);
    expect(await stored(`Task?code=${PORTAL}|repeat-prescription`)).to.equal(0);
  });

  it('a repeat request made by $request-repeat is moved by nobody directly: the GP decides with $decide-repeat', async () => {
    const asked = await call('MedicationRequest/mr1/$request-repeat', 'p1', post());
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    const task = asked.body as Json;
    const again = await call('MedicationRequest/mr1/$request-repeat', 'p1', post());
    expect(again.status, 'the duplicate rule holds').to.equal(409);

    const byPatient = await send('p1', 'PUT', `Task/${task.id as string}`, { ...task, status: 'cancelled' });
    expect(byPatient.status).to.equal(403);
    const byGp = await send('gp', 'PUT', `Task/${task.id as string}`, { ...task, status: 'completed' });
    expect(byGp.status).to.equal(403);
    expect(diagnostics(byGp.body)).to.contain('$decide-repeat');
    expect((await world.read(`Task/${task.id as string}`)).status).to.equal('requested');

    const decided = await call(
      `Task/${task.id as string}/$decide-repeat`,
      'gp',
      post([{ name: 'decision', valueCode: 'approve' }]),
    );
    expect(decided.status, JSON.stringify(decided.body)).to.equal(200);
  });

  it('an eConsult made by $econsult is answered only with $answer: neither a direct answer nor an edited question', async () => {
    const asked = await call('Patient/p1/$econsult', 'p1', post([{ name: 'question', valueString: 'Hoi' }]));
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    const asking = out(asked.body, 'question').resource as Json;
    const limit = await call(
      'Patient/p1/$econsult',
      'p1',
      post([{ name: 'question', valueString: 'Nog één' }]),
    );
    expect(limit.status, 'the open-question limit holds').to.equal(429);

    const edited = await send('p1', 'PUT', `Communication/${asking.id as string}`, {
      ...asking,
      payload: [{ contentString: 'Iets anders' }],
    });
    expect(edited.status).to.equal(403);
    const direct = await send('gp', 'POST', 'Communication', {
      ...question('Kom langs'),
      sender: { reference: 'PractitionerRole/gp-role' },
      recipient: [{ reference: 'Patient/p1' }],
      inResponseTo: [{ reference: `Communication/${asking.id as string}` }],
    });
    expect(direct.status).to.equal(403);
    expect(diagnostics(direct.body)).to.contain('$answer');
    expect(await stored(`Communication?category=${PORTAL}|econsult`)).to.equal(1);

    const answered = await call(
      `Communication/${asking.id as string}/$answer`,
      'gp',
      post([{ name: 'answer', valueString: 'Kom langs op het spreekuur.' }]),
    );
    expect(answered.status, JSON.stringify(answered.body)).to.equal(200);
    expect(await stored(`Communication?category=${PORTAL}|econsult`)).to.equal(2);
  });

  it('a trusted integration (the practice system’s migration) is not gated', async () => {
    const res = await world.server.fetch('Task', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ ...repeatTask, status: 'completed' }),
    });
    expect(res.status).to.equal(201);
  });
});
