import { expect } from 'chai';
import { putResources, startTestServer, type TestServer } from '../support/harness.ts';
import {
  DAY,
  diagnostics,
  out,
  patient,
  post,
  practiceWorld,
  type Json,
} from '../support/practice-requests.ts';

const OMEPRAZOL = {
  coding: [{ system: 'http://example.org/gpk', code: '12345', display: 'Omeprazol 20mg' }],
};
const T0 = Date.parse('2027-03-01T09:00:00Z');
const at = (days: number) => new Date(T0 + days * DAY).toISOString();
const daily = [
  {
    timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
    doseAndRate: [{ doseQuantity: { value: 1, unit: 'tablet' } }],
  },
];
const prescription = (id: string, who: string, fields: Json = {}) =>
  [
    'MedicationRequest',
    id,
    {
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: OMEPRAZOL,
      subject: { reference: `Patient/${who}` },
      authoredOn: at(-30),
      dosageInstruction: daily,
      ...fields,
    },
  ] as const;
const dispense = (id: string, of: string, who: string, fields: Json) =>
  [
    'MedicationDispense',
    id,
    {
      status: 'completed',
      medicationCodeableConcept: OMEPRAZOL,
      subject: { reference: `Patient/${who}` },
      authorizingPrescription: [{ reference: `MedicationRequest/${of}` }],
      ...fields,
    },
  ] as const;

describe('medication reminders: one e-mail per supply, within the window, by a periodic job (seed 004)', function () {
  this.timeout(180_000);
  const world = practiceWorld();
  const { call, mailTo, mailsTo, clock } = world;
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const remindNow = async (node?: TestServer) => {
    const res = await (node ?? world.server).fetch('MedicationRequest/$send-reminders', {
      method: 'POST',
      headers: { accept: 'application/fhir+json' },
    });
    const body = (await res.json()) as Json;
    expect(res.status, JSON.stringify(body)).to.equal(200);
    return { due: out(body, 'due').valueInteger as number, sent: out(body, 'sent').valueInteger as number };
  };
  let second: TestServer | undefined;

  before(async () => {
    clock.now = T0;
    // The job runs every 2 seconds here (an hour by default), on the server's (moved) clock.
    await world.start({ reminderIntervalSeconds: 2, reminderDays: 7 });
    await putResources(world.server, [
      patient('p4', 'Vier', 'vier@example.org', 'praktijk'),
      patient('p5', 'Vijf', 'vijf@example.org', 'praktijk'),
      patient('p6', 'Zes', undefined, 'praktijk'),
      patient('p7', 'Zeven', 'zeven@example.org', 'praktijk'),
      patient('p8', 'Acht', 'acht@example.org', 'praktijk'),
      // Handed over 20 days ago for 30 days: runs out at T0+10.
      prescription('mr4', 'p4'),
      dispense('d4', 'mr4', 'p4', {
        whenHandedOver: at(-20),
        daysSupply: { value: 30, unit: 'day', code: 'd' },
      }),
      // No dispense: 30 days expected from the start of its validity 18 days ago: T0+12.
      prescription('mr5', 'p5', {
        dispenseRequest: {
          validityPeriod: { start: at(-18) },
          expectedSupplyDuration: { value: 30, unit: 'days', code: 'd' },
        },
      }),
      // 28 tablets at one a day, handed over 20 days ago: T0+8.
      prescription('mr8', 'p8'),
      dispense('d8', 'mr8', 'p8', { whenHandedOver: at(-20), quantity: { value: 28, unit: 'tablet' } }),
      // Due at once, but no e-mail address.
      prescription('mr6', 'p6', { dispenseRequest: { validityPeriod: { end: at(3) } } }),
      // Due at once, but asked for already, repeated already, or a clinic's inpatient order.
      // (mr7-asked is due only once asked for, below: the job runs meanwhile and must not catch it first.)
      prescription('mr7-asked', 'p7'),
      // The repeat before the one it repeats: the job never sees the old one unrepeated.
      prescription('mr7-new', 'p7', {
        medicationCodeableConcept: { text: 'Paracetamol' },
        priorPrescription: { reference: 'MedicationRequest/mr7-repeated' },
      }),
      prescription('mr7-repeated', 'p7', {
        medicationCodeableConcept: { text: 'Paracetamol' },
        dispenseRequest: { validityPeriod: { end: at(3) } },
      }),
      prescription('mr7-clinic', 'p7', {
        medicationCodeableConcept: { text: 'Heparine' },
        category: [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-category',
                code: 'inpatient',
              },
            ],
          },
        ],
        dispenseRequest: { validityPeriod: { end: at(3) } },
      }),
    ]);
    await world.login('p7', 'Patient/p7');
    expect((await call('MedicationRequest/mr7-asked/$request-repeat', 'p7', post())).status).to.equal(201);
    const [, , asked] = prescription('mr7-asked', 'p7', {
      dispenseRequest: { validityPeriod: { end: at(3) } },
    });
    const due = await world.server.fetch('MedicationRequest/mr7-asked', {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'MedicationRequest', id: 'mr7-asked', ...asked }),
    });
    expect(due.status).to.equal(200);
  });
  after(async () => {
    await second?.close();
    await world.close();
  });

  it('before the window nothing is sent, also not by the periodic job', async () => {
    const run = await remindNow();
    expect(run.sent).to.equal(0);
    await pause(4_000); // two of the job's runs
    for (const who of ['vier', 'vijf', 'acht', 'zeven'])
      expect(mailsTo(`${who}@example.org`), who).to.have.length(0);
  });

  it('within 7 days of running out, the periodic job mails the patient once: no medication named', async () => {
    clock.now = T0 + 4 * DAY; // p4's supply runs out in 6 days, p8's in 4; p5's in 8
    const mail = await mailTo('vier@example.org');
    expect(mail.subject).to.contain('Herinnering');
    expect(mail.text)
      .to.contain('een geneesmiddel op uw medicatielijst binnenkort op')
      .and.contain('Huisartsenpraktijk De Linde')
      .and.contain('https://portaal.delinde.test')
      .and.contain('a medication on your list runs out soon');
    for (const medical of ['Omeprazol', '12345', 'mr4', 'd4'])
      expect(`${mail.subject} ${mail.text}`).not.to.contain(medical);
    // From a dispense's quantity and the daily dose, too.
    await mailTo('acht@example.org');
    expect(mailsTo('vijf@example.org')).to.have.length(0);
    // Run again, now and by the job: nothing new.
    const again = await remindNow();
    expect(again.sent).to.equal(0);
    expect(again.due).to.be.at.least(2);
    await pause(3_000);
    expect(mailsTo('vier@example.org')).to.have.length(1);
    expect(mailsTo('acht@example.org')).to.have.length(1);
  });

  it('a prescription’s own expected supply counts too; asked, repeated, inpatient or without an address: no mail', async () => {
    clock.now = T0 + 6 * DAY;
    await remindNow();
    await mailTo('vijf@example.org');
    await pause(2_500);
    expect(mailsTo('vijf@example.org')).to.have.length(1);
    expect(mailsTo('zeven@example.org')).to.have.length(0);
    const rows = await world.server.app.db
      .knex('medication_reminder')
      .select('supply', 'patient')
      .orderBy('supply');
    expect(rows.map((r: Json) => r.patient).sort()).to.deep.equal(['Patient/p4', 'Patient/p5', 'Patient/p8']);
  });

  it('a new supply is reminded once, even when runs overlap on two nodes', async () => {
    // The pharmacy handed over 5 more days today: runs out at T0+11, within the window.
    await putResources(world.server, [
      dispense('d4b', 'mr4', 'p4', {
        whenHandedOver: at(6),
        daysSupply: { value: 5, unit: 'day', code: 'd' },
      }),
    ]);
    const nodes = [world.server, world.server, world.server];
    if (process.env.DATABASE_URL) {
      second = await startTestServer({}, { reuseDatabaseOf: world.server, clock: () => new Date(clock.now) });
      nodes.push(second, second);
    }
    const runs = await Promise.all(nodes.map((n) => remindNow(n)));
    expect(runs.reduce((n, r) => n + r.sent, 0)).to.be.at.most(1);
    await mailTo('vier@example.org', world.smtp.messages.indexOf(mailsTo('vier@example.org')[0]!) + 1);
    await pause(2_500);
    expect(mailsTo('vier@example.org')).to.have.length(2);
  });

  it('only a trusted system runs the reminders now: a patient or a GP is refused', async () => {
    await world.login('p4', 'Patient/p4');
    for (const who of ['p4', 'gp']) {
      const res = await call('MedicationRequest/$send-reminders', who, post());
      expect(res.status, who).to.equal(403);
      expect(diagnostics(res.body)).to.contain('trusted system');
    }
  });
});
