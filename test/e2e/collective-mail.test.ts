import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { collectiveWorld, out, params } from '../support/collective.ts';
import { addressOf, freePort, startSmtp } from '../support/smtp.ts';

describe('care collectives: mail through the durable outbox (invitations, reminders)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
  let port: number;
  const world = collectiveWorld(() => server);
  const { zrns, post, get } = world;
  let collective: string;
  let plan: string;
  let code: string;
  let patient: string;

  before(async () => {
    // The mail server is down at first: nothing listens on its port yet.
    port = await freePort();
    server = await startTestServer(
      {},
      {
        config: {
          smart: { devLogin: true, cookieKeys: [] },
          mail: {
            smtpUrl: `smtp://127.0.0.1:${port}`,
            from: 'Zorgpoort <noreply@zorgpoort.test>',
            retryDelaySeconds: 1,
          },
        },
      },
    );
    await world.caregivers('admin', 'cm', 'invitee', 'stranger');
    collective = await world.collective('Longcentrum', 'admin');
    await world.expectOk(
      post(
        `Organization/${collective}/$set-role`,
        server.authorization!, // the operator: nobody grants themself a role
        params({ zrn: zrns.admin, role: 'beheerder', value: true }),
      ),
    );
    await world.expectOk(
      post(`Organization/${collective}/$add-caregiver`, 'admin', params({ zrn: zrns.cm, casemanager: true })),
    );
    const started = await world.expectOk(
      post(
        `Organization/${collective}/$start-plan`,
        'cm',
        params({
          title: 'COPD',
          family: 'Peters',
          given: 'Kees',
          birthDate: '1950-01-01',
          gender: 'male',
          email: 'kees@example.org',
        }),
      ),
      201,
    );
    plan = out(started, 'carePlan').split('/')[1]!;
    patient = out(started, 'patient').split('/')[1]!;
    code = out(started, 'activationCode');
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('an invitation made while the mail server is down is delivered once it is up, and names no patient', async () => {
    const invited = await world.expectOk(
      post(`CarePlan/${plan}/$add-participant`, 'cm', params({ zrn: zrns.invitee })),
    );
    expect(out(invited, 'status')).to.equal('invited');
    expect(out(invited, 'mailed')).to.equal(true);
    await new Promise((r) => setTimeout(r, 1500)); // a delivery attempt fails meanwhile
    smtp = await startSmtp(port);
    const mail = await smtp.next((m) => addressOf(m).includes('invitee@example.org'));
    expect(mail.subject).to.contain('Uitnodiging');
    expect(mail.text).to.contain(`/CarePlan/${plan}/$accept-invitation`);
    expect(mail.text).not.to.contain('Peters').and.not.to.contain('COPD');
    expect(mail.from?.text).to.contain('noreply@zorgpoort.test');
  });

  it('a refused change sends nothing', async () => {
    const refused = await post(
      `CarePlan/${plan}/$add-participant`,
      'stranger',
      params({ zrn: zrns.stranger }),
    );
    expect(refused.status, 'a stranger to the plan: as if it did not exist').to.equal(404);
    await new Promise((r) => setTimeout(r, 2000));
    expect(smtp!.messages.filter((m) => addressOf(m).includes('stranger@example.org'))).to.have.length(0);
  });

  it('a reminder mails the patient the instruction letter with the code; the letter is also there to print', async () => {
    const sent = await world.expectOk(post(`CarePlan/${plan}/$send-reminder`, 'cm'));
    expect(out(sent, 'sentTo')).to.equal('kees@example.org');
    const mail = await smtp!.next((m) => addressOf(m).includes('kees@example.org'));
    expect(mail.text).to.contain(code).and.not.contain('COPD'); // a plan's title can tell a diagnosis
    expect(mail.html).to.contain(code);
    const letter = await world.expectOk(get(`CarePlan/${plan}/$activation-letter`, 'cm'));
    expect(letter.contentType).to.equal('text/html');
    expect(Buffer.from(letter.data, 'base64').toString('utf8')).to.contain(code).and.contain('COPD');
    expect((await post(`CarePlan/${plan}/$send-reminder`, 'invitee')).status).to.equal(403);
  });

  it("the casemanager's personal note and the actions asked go with the letter and the reminder", async () => {
    await world.expectOk(
      post(
        `CarePlan/${plan}/$send-reminder`,
        'cm',
        params({ note: 'Tot dinsdag <3', action: ['Longfunctie meten', 'Dagboek bijhouden'] }),
      ),
    );
    const mail = await smtp!.next(
      (m) => addressOf(m).includes('kees@example.org') && /dinsdag/.test(m.text ?? ''),
    );
    expect(mail.text)
      .to.contain('Tot dinsdag <3')
      .and.contain('- Longfunctie meten')
      .and.contain('- Dagboek bijhouden');
    expect(mail.html).to.contain('Tot dinsdag &lt;3');
    const letter = await world.expectOk(
      get(
        `CarePlan/${plan}/$activation-letter?note=${encodeURIComponent('Neem dit mee')}&action=Wegen`,
        'cm',
      ),
    );
    const html = Buffer.from(letter.data, 'base64').toString('utf8');
    expect(html).to.contain('Neem dit mee').and.contain('- Wegen');
    expect(
      (await post(`CarePlan/${plan}/$send-reminder`, 'cm', params({ note: 'x'.repeat(2001) }))).status,
    ).to.equal(400);
  });

  it('no reminder once the plan is activated', async () => {
    await world.patientLogin('kees', patient);
    await world.expectOk(post('CarePlan/$activate', 'kees', params({ code })));
    expect((await post(`CarePlan/${plan}/$send-reminder`, 'cm')).status).to.equal(409);
  });
});
