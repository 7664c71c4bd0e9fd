import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/harness.ts';

describe('password accounts', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('creates an account; refuses a taken login (any case), a second account of the person, a weak password', async () => {
    const accounts = server.app.passwordAccounts;
    await accounts.create({
      login: 'Anna@Praktijk.example',
      password: 'paarse fiets onder de brug',
      person: 'Practitioner/anna',
    });
    const refusal = async (p: Promise<void>) =>
      p.then(
        () => expect.fail('accepted'),
        (err: { status: number; message: string }) => err,
      );
    const taken = await refusal(
      accounts.create({
        login: 'anna@praktijk.EXAMPLE',
        password: 'paarse fiets onder de brug',
        person: 'Practitioner/other',
      }),
    );
    expect(taken.status).to.equal(409);
    expect(taken.message).to.match(/another account.*\/.*ander account/);
    expect(
      (
        await refusal(
          accounts.create({
            login: 'b@praktijk.example',
            password: 'paarse fiets onder de brug',
            person: 'Practitioner/anna',
          }),
        )
      ).status,
    ).to.equal(409);
    const weak = await refusal(
      accounts.create({ login: 'c@praktijk.example', password: 'welkom', person: 'Practitioner/c' }),
    );
    expect(weak.status).to.equal(400);
    expect(weak.message).to.match(/at least 12.*minstens 12/);
    expect(
      (
        await refusal(
          accounts.create({
            login: 'not-an-email',
            password: 'paarse fiets onder de brug',
            person: 'Practitioner/d',
          }),
        )
      ).status,
    ).to.equal(400);
    expect(
      (
        await refusal(
          accounts.create({
            login: 'e@x.example',
            password: 'paarse fiets onder de brug',
            person: 'Organization/e',
          }),
        )
      ).status,
    ).to.equal(400);
    await accounts.disable('Practitioner/anna');
    await accounts.enable('Practitioner/anna');
    await accounts.disable('Practitioner/nobody');
  });
});
