import { expect } from 'chai';
import { hashPassword, verifyPassword } from '../../../server/auth/password/hashing.ts';
import { passwordProblem } from '../../../server/auth/password/rules.ts';

describe('password hashing (scrypt)', () => {
  it('stores the parameters and a random salt with the hash, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).to.match(/^scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).to.not.equal(b);
    expect(await verifyPassword('correct horse battery staple', a)).to.deep.equal({
      ok: true,
      rehash: false,
    });
    expect(await verifyPassword('correct horse battery stapl', a)).to.deep.equal({
      ok: false,
      rehash: false,
    });
    expect(await verifyPassword('Correct horse battery staple', a)).to.deep.equal({
      ok: false,
      rehash: false,
    });
  });

  it('asks for a rehash when the stored parameters are not the current ones, only for the right password', async () => {
    const old = await hashPassword('een lang genoeg wachtwoord', { logN: 14, r: 8, p: 1 });
    expect(old).to.match(/^scrypt\$ln=14,/);
    expect(await verifyPassword('een lang genoeg wachtwoord', old)).to.deep.equal({ ok: true, rehash: true });
    expect(await verifyPassword('een ander wachtwoord!!', old)).to.deep.equal({ ok: false, rehash: false });
    const raised = { logN: 16, r: 8, p: 1 };
    const current = await hashPassword('een lang genoeg wachtwoord');
    expect(await verifyPassword('een lang genoeg wachtwoord', current, raised)).to.deep.equal({
      ok: true,
      rehash: true,
    });
  });

  it('refuses a malformed or absurdly costly stored form without trying it', async () => {
    expect((await verifyPassword('x', 'plain-text')).ok).to.equal(false);
    const tampered = (await hashPassword('correct horse battery staple')).replace('ln=15', 'ln=30');
    expect(await verifyPassword('correct horse battery staple', tampered)).to.deep.equal({
      ok: false,
      rehash: false,
    });
  });
});

describe('password rules', () => {
  const login = 'anna.devries@praktijk.example';
  it('accepts a long passphrase', () => {
    expect(passwordProblem('paarse fiets onder de brug', login)).to.equal(undefined);
  });
  it('refuses short, login-like, repetitive and common passwords, saying why in both languages', () => {
    expect(passwordProblem('kort123!', login)?.en).to.match(/at least 12/);
    expect(passwordProblem('kort123!', login)?.nl).to.match(/minstens 12/);
    expect(passwordProblem('ANNA.DEVRIES@praktijk.example', login)?.en).to.match(/e-mail/);
    expect(passwordProblem('annadevries2024', login)?.en).to.match(/e-mail/);
    expect(passwordProblem('aaaaaaaaaaaaaa', login)?.en).to.match(/too easy/);
    expect(passwordProblem('123456789012', login)?.en).to.match(/too easy/);
    expect(passwordProblem('Wachtwoord2024!', login)?.en).to.match(/too easy/);
    expect(passwordProblem('zorgpoort!!!!!!', login)?.nl).to.match(/te makkelijk/);
  });
});
