import { expect } from 'chai';
import { loadConfig } from '../../../server/config.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { loadSigningKeys } from '../../../server/auth/smart/keys.ts';
import {
  coveredResourceScopes,
  coveringScopes,
  grantableResourceScopes,
} from '../../../server/auth/smart/scopes.ts';

describe('SMART settings and scope granting', () => {
  it('DEV_LOGIN is off by default, on with on, refused in production and for other values', () => {
    expect(loadConfig({}).smart.devLogin).to.equal(false);
    expect(loadConfig({ DEV_LOGIN: 'on' }).smart.devLogin).to.equal(true);
    expect(() => loadConfig({ DEV_LOGIN: 'on', NODE_ENV: 'production' })).to.throw(/refused/);
    expect(() => loadConfig({ DEV_LOGIN: 'yes' })).to.throw(/DEV_LOGIN/);
  });

  it('SMART_JWKS_FILE and SMART_COOKIE_KEYS are read', () => {
    const c = loadConfig({ SMART_JWKS_FILE: '/k.json', SMART_COOKIE_KEYS: 'a, b' });
    expect(c.smart).to.deep.include({ jwksFile: '/k.json', cookieKeys: ['a', 'b'] });
  });

  it('grants requested resource scopes the registration covers, v1 names too, in the allowed contexts', () => {
    const registered = 'patient/*.rs user/Observation.cruds system/*.rs';
    expect(
      grantableResourceScopes(
        'patient/Patient.read patient/Observation.rs?category=laboratory user/Observation.write patient/Condition.c system/Patient.rs openid',
        registered,
        ['patient', 'user'],
      ),
    ).to.deep.equal([
      'patient/Patient.read',
      'patient/Observation.rs?category=laboratory',
      'user/Observation.write',
    ]);
    expect(
      grantableResourceScopes('system/Patient.rs user/Observation.rs', registered, ['system']),
    ).to.deep.equal(['system/Patient.rs']);
  });

  it('a refresh scope is covered by the granted scopes by name, or by meaning for resource scopes', () => {
    const granted = 'openid launch/patient offline_access patient/*.read patient/Observation.rs';
    expect(
      coveringScopes('openid patient/Patient.r patient/Observation.rs?category=laboratory', granted),
    ).to.deep.equal({
      cover: ['openid', 'patient/*.read', 'patient/Observation.rs'],
      missing: [],
    });
    expect(
      coveringScopes('online_access patient/Patient.c user/Patient.r patient/Observation.rs', granted)
        .missing,
    ).to.deep.equal(['online_access', 'patient/Patient.c', 'user/Patient.r']);
    expect(
      coveredResourceScopes('openid patient/Patient.rs patient/Condition.rs', 'patient/Patient.read'),
    ).to.deep.equal(['patient/Patient.rs']);
  });

  it('signing keys come from SMART_JWKS_FILE (private keys only), else an ephemeral ES256 key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smart-keys-'));
    try {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      const file = join(dir, 'jwks.json');
      writeFileSync(file, JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: 'k1' }] }));
      const keys = await loadSigningKeys(file);
      expect(keys).to.deep.include({ idTokenAlg: 'RS256', ephemeral: false });
      writeFileSync(file, JSON.stringify({ keys: [await exportJWK(publicKey)] }));
      await loadSigningKeys(file).then(
        () => expect.fail('a public JWKS must be refused'),
        (err: Error) => expect(err.message).to.match(/private keys/),
      );
      expect(await loadSigningKeys(undefined)).to.deep.include({ idTokenAlg: 'ES256', ephemeral: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
