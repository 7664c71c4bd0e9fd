import { expect } from 'chai';
import { diagnostics, EN, portalWorld } from '../support/portal-world.ts';

/**
 * Seed 004, "2. Huisarts koppelt uw account": the patient calls, the assistant checks BSN and
 * e-mail address and links the account to the practice's record; the patient is mailed. Only
 * the practice's own staff, only its own patients, only with the right BSN and address.
 */
describe('Patient portal: the practice links an account', function () {
  this.timeout(120_000);
  const world = portalWorld();
  before(() => world.start());
  after(() => world.close());

  let cees: string;
  let ceesToken: string;

  before(async () => {
    cees = await world.registerAndConfirm('cees@example.nl');
    ceesToken = await world.logIn('cees@example.nl');
  });

  it('is refused, saying what to check, for a wrong BSN, a wrong e-mail address or a patient of another practice', async () => {
    const wrongBsn = await world.link('assistent', cees, 'Patient/bob', '111222333', 'cees@example.nl');
    expect(wrongBsn.status).to.equal(422);
    expect(diagnostics(wrongBsn.body)).to.match(
      /BSN 111222333 is not the BSN of Patient\/bob: check the number/,
    );
    const wrongMail = await world.link('assistent', cees, 'Patient/bob', '111222345', 'iemand@example.nl');
    expect(wrongMail.status).to.equal(422);
    expect(diagnostics(wrongMail.body)).to.match(/not the e-mail address of Person/);
    const otherPractice = await world.link(
      'assistent',
      cees,
      'Patient/carla',
      '111222357',
      'cees@example.nl',
    );
    const unknown = await world.link('assistent', cees, 'Patient/niemand', '111222357', 'cees@example.nl');
    expect(otherPractice.status).to.equal(422);
    expect(diagnostics(otherPractice.body)).to.match(/no patient of your practice/);
    expect(diagnostics(unknown.body).replace('niemand', 'carla')).to.equal(diagnostics(otherPractice.body));
    const missing = await world.link('assistent', cees, 'Patient/bob', '', 'cees@example.nl');
    expect(missing.status).to.equal(400);
    const dutch = await world.call(`${cees}/$link-patient`, 'assistent', {
      method: 'POST',
      headers: { 'accept-language': 'nl' },
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [
          { name: 'patient', valueReference: { reference: 'Patient/bob' } },
          { name: 'bsn', valueString: '111222333' },
          { name: 'email', valueString: 'cees@example.nl' },
        ],
      }),
    });
    expect(diagnostics(dutch.body)).to.match(/is niet het BSN van Patient\/bob/);
  });

  it("is refused to another practice's assistant as for a missing account, and to anyone who is no staff", async () => {
    const theirs = await world.link('vreemde', cees, 'Patient/bob', '111222345', 'cees@example.nl');
    const none = await world.link(
      'vreemde',
      'Person/bestaat-niet',
      'Patient/bob',
      '111222345',
      'cees@example.nl',
    );
    expect(theirs.status).to.equal(404);
    expect(diagnostics(theirs.body).replace(cees, 'X')).to.equal(
      diagnostics(none.body).replace('Person/bestaat-niet', 'X'),
    );
    // The account itself: its app may not change a Person (scopes), nor would the rule let it.
    const self = await world.link(ceesToken, cees, 'Patient/bob', '111222345', 'cees@example.nl');
    expect(self.status).to.equal(403);
    const patientApp = await world.logIn('cees@example.nl', undefined, 'openid fhirUser user/*.cruds');
    const selfAgain = await world.link(patientApp, cees, 'Patient/bob', '111222345', 'cees@example.nl');
    expect(selfAgain.status).to.equal(403);
    expect(diagnostics(selfAgain.body)).to.match(/Only a practice's assistant/);
  });

  it('the assistant links with the right BSN and address; the patient is mailed; the account then needs a session code for its record', async () => {
    const before = world.smtp.messages.length;
    const linked = await world.link('assistent', cees, 'Patient/bob', '111 222 345', 'Cees@Example.nl');
    expect(linked.status, JSON.stringify(linked.body)).to.equal(200);
    expect(linked.body.link).to.deep.equal([{ target: { reference: 'Patient/bob' }, assurance: 'level3' }]);
    const mail = await world.mailTo('cees@example.nl', before);
    expect(mail.subject).to.match(/Uw account is gekoppeld/);
    expect(mail.text).to.contain('Huisartsenpraktijk De Linde').and.not.contain('Hemoglobine');

    // No longer waiting; linking again is refused.
    const waiting = await world.call('Person?organization=Organization/linde&link:missing=true', 'assistent');
    expect(waiting.body.entry ?? []).to.have.length(0);
    const again = await world.link('assistent', cees, 'Patient/bob', '111222345', 'cees@example.nl');
    expect(again.status).to.equal(409);

    // The login of before the link: now the patient, whose record needs a session code.
    const record = await world.call('Patient/bob', ceesToken, { headers: EN });
    expect(record.status).to.equal(403);
    expect(diagnostics(record.body)).to.match(
      /needs a session code: request one with POST \[base\]\/\$session-code/,
    );
    expect((await world.call(cees, ceesToken)).status).to.equal(200);
  });

  it('the GP links too', async () => {
    const dora = await world.registerAndConfirm('dora@example.nl');
    const linked = await world.link('huisarts', dora, 'Patient/dirk', '111222369', 'dora@example.nl');
    expect(linked.status, JSON.stringify(linked.body)).to.equal(200);
  });
});
