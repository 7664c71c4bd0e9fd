import { expect } from 'chai';
import { passwordConfig } from '../../../server/auth/password/config.ts';

describe('password login settings', () => {
  it('defaults: on, 5 failures lock for 15 minutes, codes 5 minutes and 5 tries, links an hour, scrypt N=2^15', () => {
    expect(passwordConfig({})).to.deep.equal({
      enabled: true,
      maxFailures: 5,
      lockSeconds: 900,
      codeSeconds: 300,
      codeAttempts: 5,
      resetSeconds: 3600,
      scrypt: { logN: 15, r: 8, p: 1 },
    });
  });

  it('reads every variable, fractions of seconds too', () => {
    const c = passwordConfig({
      PASSWORD_LOGIN: 'off',
      PASSWORD_MAX_FAILURES: '3',
      PASSWORD_LOCK_SECONDS: '0.5',
      PASSWORD_CODE_SECONDS: '120',
      PASSWORD_CODE_ATTEMPTS: '2',
      PASSWORD_RESET_SECONDS: '1800',
      PASSWORD_SCRYPT_LOG_N: '16',
    });
    expect(c).to.deep.equal({
      enabled: false,
      maxFailures: 3,
      lockSeconds: 0.5,
      codeSeconds: 120,
      codeAttempts: 2,
      resetSeconds: 1800,
      scrypt: { logN: 16, r: 8, p: 1 },
    });
  });

  it('refuses what would weaken or break it, naming the variable', () => {
    expect(() => passwordConfig({ PASSWORD_LOGIN: 'yes' })).to.throw(/PASSWORD_LOGIN/);
    expect(() => passwordConfig({ PASSWORD_MAX_FAILURES: '0' })).to.throw(/PASSWORD_MAX_FAILURES/);
    expect(() => passwordConfig({ PASSWORD_MAX_FAILURES: '2.5' })).to.throw(/integer/);
    expect(() => passwordConfig({ PASSWORD_LOCK_SECONDS: 'long' })).to.throw(/PASSWORD_LOCK_SECONDS/);
    expect(() => passwordConfig({ PASSWORD_SCRYPT_LOG_N: '10' })).to.throw(/14\.\.20/);
    expect(() => passwordConfig({ PASSWORD_SCRYPT_LOG_N: '24' })).to.throw(/14\.\.20/);
  });
});
