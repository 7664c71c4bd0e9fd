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
} from '../support/practice-requests.ts';

const QUESTION = 'Mijn bloeddruk is sinds de nieuwe pillen 160/100, moet ik de dosis verhogen?';
const ANSWER = 'Verhoog de amlodipine naar 10 mg en meet over twee weken opnieuw.';
const CATEGORY = encodeURIComponent(`${PORTAL}|econsult`);

describe('eConsult: the patient asks, the GP answers, the patient is told an answer waits (seed 004)', function () {
  this.timeout(180_000);
  const world = practiceWorld();
  const { call, mailTo, mailsTo } = world;
  let questionId: string;
  let answerId: string;

  before(async () => {
    await world.start({ reminderIntervalSeconds: 0, econsultMaxChars: 200, econsultMaxOpen: 2 });
    await putResources(world.server, [
      patient('p1', 'Jansen', 'jan@example.org', 'praktijk'),
      patient('p2', 'Pietersen', 'piet@example.org', 'praktijk'),
      patient('p3', 'Klaassen', 'klaas@example.org'),
    ]);
    for (const p of ['p1', 'p2', 'p3']) await world.login(p, `Patient/${p}`);
  });
  after(() => world.close());

  it('the patient asks a question: a Communication to the practice and a Task for it, held by the practice', async () => {
    const asked = await call(
      'Patient/p1/$econsult',
      'p1',
      post([{ name: 'question', valueString: QUESTION }]),
    );
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    const question = out(asked.body, 'question').resource;
    const task = out(asked.body, 'task').resource;
    questionId = question.id;
    expect(question).to.deep.include({
      status: 'in-progress',
      subject: { reference: 'Patient/p1' },
      sender: { reference: 'Patient/p1' },
      recipient: [{ reference: 'Organization/praktijk' }],
      payload: [{ contentString: QUESTION }],
      sent: new Date(world.clock.now).toISOString(),
    });
    expect(question.category[0].coding[0]).to.include({ system: PORTAL, code: 'econsult' });
    expect(question.meta.tag).to.deep.include({ system: CUSTODIAN, code: 'praktijk' });
    expect(task).to.deep.include({
      status: 'requested',
      focus: { reference: `Communication/${questionId}` },
      for: { reference: 'Patient/p1' },
      owner: { reference: 'Organization/praktijk' },
    });
  });

  it('a question is required and limited in length; only one’s own record; a record without a practice is told to call it', async () => {
    const empty = await call('Patient/p1/$econsult', 'p1', post([{ name: 'question', valueString: '  ' }]));
    expect(empty.status).to.equal(400);
    expect(diagnostics(empty.body)).to.contain("'question'");
    const long = await call(
      'Patient/p1/$econsult',
      'p1',
      post([{ name: 'question', valueString: 'x'.repeat(201) }]),
    );
    expect(long.status).to.equal(400);
    expect(diagnostics(long.body)).to.contain('at most 200');
    const other = await call('Patient/p2/$econsult', 'p1', post([{ name: 'question', valueString: 'Hoi' }]));
    const missing = await call(
      'Patient/nope/$econsult',
      'p1',
      post([{ name: 'question', valueString: 'Hoi' }]),
    );
    expect(other.status).to.equal(404);
    expect(diagnostics(other.body).replace('p2', 'X')).to.equal(
      diagnostics(missing.body).replace('nope', 'X'),
    );
    const noPractice = await call(
      'Patient/p3/$econsult',
      'p3',
      post([{ name: 'question', valueString: 'Hoi' }]),
    );
    expect(noPractice.status).to.equal(422);
    // A caregiver does not ask in the patient's name.
    expect(
      (await call('Patient/p1/$econsult', 'gp', post([{ name: 'question', valueString: 'Hoi' }]))).status,
    ).to.equal(403);
  });

  it('a patient has at most the configured number of questions waiting', async () => {
    for (const n of [1, 2]) {
      const asked = await call(
        'Patient/p2/$econsult',
        'p2',
        post([{ name: 'question', valueString: `Vraag ${n}` }]),
      );
      expect(asked.status).to.equal(201);
    }
    const third = await call(
      'Patient/p2/$econsult',
      'p2',
      post([{ name: 'question', valueString: 'Vraag 3' }]),
    );
    expect(third.status).to.equal(429);
    expect(diagnostics(third.body)).to.contain('2 questions waiting');
  });

  it('the practice sees the question, another practice nothing; the assistant may not answer', async () => {
    for (const who of ['gp', 'pa', 'assistent']) {
      const tasks = await call(`Task?owner=Organization/praktijk&code=${CATEGORY}&status=requested`, who);
      expect(entries(tasks.body).length, who).to.equal(3);
      expect((await call(`Communication/${questionId}`, who)).body.payload[0].contentString, who).to.equal(
        QUESTION,
      );
    }
    for (const who of ['anderegp', 'andereassistent']) {
      expect(entries((await call(`Task?code=${CATEGORY}`, who)).body), who).to.have.length(0);
      expect(entries((await call(`Communication?category=${CATEGORY}`, who)).body), who).to.have.length(0);
      expect((await call(`Communication/${questionId}`, who)).status, who).to.equal(404);
      const answered = await call(
        `Communication/${questionId}/$answer`,
        who,
        post([{ name: 'answer', valueString: 'Nee' }]),
      );
      expect(answered.status, who).to.equal(404);
    }
    const assistant = await call(
      `Communication/${questionId}/$answer`,
      'assistent',
      post([{ name: 'answer', valueString: 'Ja' }]),
    );
    expect(assistant.status).to.equal(403);
    expect(diagnostics(assistant.body)).to.contain('GP or the physician assistant');
    const patient = await call(
      `Communication/${questionId}/$answer`,
      'p1',
      post([{ name: 'answer', valueString: 'Ja' }]),
    );
    expect(patient.status).to.equal(403);
    const noText = await call(`Communication/${questionId}/$answer`, 'gp', post());
    expect(noText.status).to.equal(400);
  });

  it('the GP answers: the patient gets a mail without the question or the answer, and reads the answer in the portal', async () => {
    const before = world.smtp.messages.length;
    world.clock.now += 2 * 3_600_000;
    const answered = await call(
      `Communication/${questionId}/$answer`,
      'gp',
      post([{ name: 'answer', valueString: ANSWER }]),
    );
    expect(answered.status, JSON.stringify(answered.body)).to.equal(200);
    const answer = out(answered.body, 'answer').resource;
    answerId = answer.id;
    expect(answer).to.deep.include({
      status: 'completed',
      inResponseTo: [{ reference: `Communication/${questionId}` }],
      subject: { reference: 'Patient/p1' },
      sender: { reference: 'PractitionerRole/gp-role' },
      recipient: [{ reference: 'Patient/p1' }],
      payload: [{ contentString: ANSWER }],
      sent: new Date(world.clock.now).toISOString(),
    });
    expect(out(answered.body, 'task').resource.status).to.equal('completed');
    expect(out(answered.body, 'task').resource.output[0].valueReference).to.deep.equal({
      reference: `Communication/${answerId}`,
    });

    const mail = await mailTo('jan@example.org', before);
    expect(mail.subject).to.contain('Er staat een antwoord voor u klaar');
    expect(mail.text).to.contain('eConsult').and.contain('https://portaal.delinde.test');
    const sent = `${mail.subject} ${mail.text} ${mail.html || ''}`;
    for (const medical of ['bloeddruk', '160/100', 'amlodipine', 'dosis', '10 mg', questionId, answerId]) {
      expect(sent).not.to.contain(medical);
    }

    const thread = await call(`Communication?subject=Patient/p1&category=${CATEGORY}&_sort=sent`, 'p1');
    expect(entries(thread.body).map((c) => c.id)).to.deep.equal([questionId, answerId]);
    expect(entries(thread.body)[1]!.payload[0].contentString).to.equal(ANSWER);
    expect((await call(`Communication/${questionId}`, 'p1')).body.status).to.equal('completed');
    const task = await call(`Task?focus=Communication/${questionId}`, 'p1');
    expect(entries(task.body)[0]!.status).to.equal('completed');
  });

  it('the answer is the patient’s only: another patient and another practice get nothing; answered twice is 409', async () => {
    expect((await call(`Communication/${answerId}`, 'p2')).status).to.equal(404);
    const theirs = await call(`Communication?category=${CATEGORY}`, 'p2');
    expect(entries(theirs.body).every((c) => c.subject.reference === 'Patient/p2')).to.equal(true);
    expect((await call(`Communication/${answerId}`, 'anderegp')).status).to.equal(404);
    const again = await call(
      `Communication/${questionId}/$answer`,
      'pa',
      post([{ name: 'answer', valueString: 'Nog iets' }]),
    );
    expect(again.status).to.equal(409);
    expect(diagnostics(again.body)).to.contain(`Communication/${answerId}`);
    expect(mailsTo('jan@example.org')).to.have.length(1);
  });
});
