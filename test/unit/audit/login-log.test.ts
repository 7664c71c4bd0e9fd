import { expect } from 'chai';
import { createLoginLog, REFUSALS_PER_MINUTE, type LoginAttempt } from '../../../server/audit/login-log.ts';

type Json = Record<string, any>;

/** The access log's login events: refusals written one by one up to a limit per caller, then counted. */
describe('login log', () => {
  const setup = (windowMs = 100) => {
    const written: Json[] = [];
    const log = createLoginLog({
      writer: { write: async (events) => void written.push(...events) },
      server: 'http://zorgpoort.test',
      logger: { error: () => {} },
      windowMs,
    });
    return { written, log };
  };
  const refused = (address: string, reason = 'The access token is not valid'): LoginAttempt => ({
    method: 'bearer-token',
    outcome: 'refused',
    reason,
    address,
  });

  it('writes a caller’s refusals one by one up to the limit, then one event that counts the rest', async () => {
    const { written, log } = setup();
    for (let i = 0; i < REFUSALS_PER_MINUTE + 5; i++) await log.record(refused('10.0.0.1'));
    expect(written).to.have.length(REFUSALS_PER_MINUTE);
    await new Promise((r) => setTimeout(r, 120));
    await log.record(refused('10.0.0.1'));
    expect(written).to.have.length(REFUSALS_PER_MINUTE + 2);
    expect(written[REFUSALS_PER_MINUTE]!.outcomeDesc).to.match(/^5 more refused attempts like this one/);
    expect(written[REFUSALS_PER_MINUTE]!.outcome).to.equal('4');
    expect(written[REFUSALS_PER_MINUTE + 1]!.outcomeDesc).to.equal('The access token is not valid');
    await log.close();
  });

  it('counts each caller apart, never holds back a success, and writes what it holds when closed', async () => {
    const { written, log } = setup(60_000);
    for (let i = 0; i < REFUSALS_PER_MINUTE + 3; i++) await log.record(refused('10.0.0.1'));
    await log.record(refused('10.0.0.2'));
    await log.record({
      method: 'client_credentials',
      outcome: 'success',
      clientId: 'his',
      address: '10.0.0.1',
    });
    expect(written).to.have.length(REFUSALS_PER_MINUTE + 2);
    expect(written.at(-1)!.outcome).to.equal('0');
    await log.close();
    expect(written).to.have.length(REFUSALS_PER_MINUTE + 3);
    expect(written.at(-1)!.outcomeDesc).to.match(/^3 more refused attempts/);
  });

  it('names what a refused attempt presented, never a person', async () => {
    const { written, log } = setup();
    await log.record({
      method: 'uzi-certificate',
      outcome: 'refused',
      uziNumber: '900099999',
      reason: 'revoked',
    });
    await log.record({ method: 'saml', outcome: 'success', person: 'Patient/p1', idp: 'digid' });
    expect(written[0]!.agent[0].who).to.deep.equal({
      identifier: { system: 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers', value: '900099999' },
    });
    expect(written[1]!.agent[0].who).to.deep.equal({ reference: 'Patient/p1' });
    expect(written[1]!.subtype.map((c: Json) => c.code)).to.deep.equal(['110122', 'saml']);
    await log.close();
  });

  it('takes an error as a refusal only when it refused credentials (401, 403)', async () => {
    const { written, log } = setup();
    const error = (status: number, message: string) => Object.assign(new Error(message), { status });
    await log.refused(error(500, 'database down'), { method: 'bearer-token', address: '10.0.0.3' });
    await log.refused(new Error('no status'), { method: 'bearer-token', address: '10.0.0.3' });
    expect(written).to.have.length(0);
    await log.refused(error(401, 'The access token is not valid'), {
      method: 'bearer-token',
      address: '10.0.0.3',
    });
    await log.refused(error(403, 'unknown UZI number'), { method: 'uzi-certificate', address: '10.0.0.3' });
    expect(written.map((e) => [e.outcome, e.outcomeDesc])).to.deep.equal([
      ['4', 'The access token is not valid'],
      ['4', 'unknown UZI number'],
    ]);
    await log.close();
  });
});
