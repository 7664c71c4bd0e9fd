import { readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export interface SigningKeys {
  /** Private JWKS for oidc-provider (id tokens). */
  jwks: { keys: JWK[] };
  /** The id_token signing algorithm of the first key. */
  idTokenAlg: string;
  /** True when the keys were generated for this process: tokens signed now die with it. */
  ephemeral: boolean;
}

function algOf(key: JWK): string {
  if (key.alg) return key.alg;
  if (key.kty === 'RSA') return 'RS256';
  if (key.kty === 'EC' && key.crv === 'P-256') return 'ES256';
  if (key.kty === 'OKP') return 'EdDSA';
  throw new Error(`SMART_JWKS_FILE: no signing algorithm known for key type ${key.kty}/${key.crv}`);
}

/**
 * The authorization server's signing keys: a private JWKS file in production (the same file on
 * every node, so each verifies what another signed), else one ES256 key made for this process.
 */
export async function loadSigningKeys(file: string | undefined): Promise<SigningKeys> {
  if (file) {
    const jwks = JSON.parse(readFileSync(file, 'utf8')) as { keys?: JWK[] };
    const first = jwks.keys?.[0];
    if (!first?.d) throw new Error(`SMART_JWKS_FILE ${file} must hold a JWKS with private keys`);
    return { jwks: { keys: jwks.keys! }, idTokenAlg: algOf(first), ephemeral: false };
  }
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: `ephemeral-${Date.now()}` };
  return { jwks: { keys: [jwk] }, idTokenAlg: 'ES256', ephemeral: true };
}
