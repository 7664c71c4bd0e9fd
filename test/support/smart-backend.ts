import { createPrivateKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { TestServer } from './harness.ts';

export interface BackendClient {
  clientId: string;
  privateKey: CryptoKey | KeyObject;
  /** The public key as registered. */
  jwk: JWK;
  alg: string;
}

/** One ES256 key per test process: generating keys per test would dominate a fast suite. */
let keyPair: Promise<{ privateKey: CryptoKey | KeyObject; jwk: JWK }> | undefined;
const processKey = () =>
  (keyPair ??= (async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'test-backend', alg: 'ES256', use: 'sig' };
    return { privateKey, jwk };
  })());

/** Registers a backend-services client (client_credentials + private_key_jwt) in-process. */
export async function registerBackendClient(
  server: TestServer,
  opts: { scope: string; organizationId?: string; trusted?: boolean },
): Promise<BackendClient> {
  const { privateKey, jwk } = await processKey();
  const { client } = await server.app.smart.clients.register({
    name: 'test backend',
    scope: opts.scope,
    jwks: { keys: [jwk] },
    ...(opts.organizationId ? { organizationId: opts.organizationId } : {}),
    ...(opts.trusted ? { trusted: true } : {}),
  });
  return { clientId: client.clientId, privateKey, jwk, alg: 'ES256' };
}

/** A signed client assertion (RFC 7523) for the token endpoint; claims can be overridden for negative tests. */
export async function clientAssertion(
  server: TestServer,
  client: BackendClient,
  claims: { aud?: string; exp?: number; jti?: string; iss?: string; key?: CryptoKey | KeyObject } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: claims.jti ?? crypto.randomUUID() })
    .setProtectedHeader({ alg: client.alg, kid: client.jwk.kid, typ: 'JWT' })
    .setIssuer(claims.iss ?? client.clientId)
    .setSubject(client.clientId)
    .setAudience(claims.aud ?? `${server.publicBase}/oauth/token`)
    .setIssuedAt(now)
    .setExpirationTime(claims.exp ?? now + 240)
    .sign(claims.key ?? client.privateKey);
}

/** The token endpoint's answer to a client_credentials request (for tests that check refusals). */
export async function backendTokenResponse(
  server: TestServer,
  client: BackendClient,
  scope: string,
  assertion?: string,
): Promise<Response> {
  return server.fetchBare('oauth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion ?? (await clientAssertion(server, client)),
    }),
  });
}

/** A backend access token for `scope` (default: every scope the client registered with). */
export async function backendToken(
  server: TestServer,
  client: BackendClient,
  scope?: string,
): Promise<string> {
  const registered = (await server.app.smart.clients.active(client.clientId))?.scope ?? '';
  const res = await backendTokenResponse(server, client, scope ?? registered);
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token) {
    throw new Error(`backend token refused (${res.status}): ${body.error} ${body.error_description ?? ''}`);
  }
  return body.access_token;
}

/** A PEM private key as a KeyObject (for tests that read keys printed by the CLI). */
export const privateKeyFromPem = (pem: string): KeyObject => createPrivateKey(pem);
