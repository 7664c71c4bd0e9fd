import { importJWK, SignJWT, type JWK } from 'jose';

/**
 * What a backend client does to get a token (SMART Backend Services): a client assertion
 * signed with its private key, exchanged at the token endpoint. Used by `npm run clients --
 * token`, the benchmark and conformance:ci.
 */
/**
 * A client_credentials access token from the server at `baseUrl`. The assertion's audience is the
 * token endpoint under the server's public base URL (`publicBaseUrl`, BASE_URL), which differs
 * from `baseUrl` when the caller reaches the server directly behind a proxy.
 */
export async function clientCredentialsToken(
  baseUrl: string,
  client: { clientId: string; privateJwk: JWK },
  scope: string,
  publicBaseUrl = baseUrl,
): Promise<string> {
  const alg = client.privateJwk.alg ?? 'ES384';
  const key = await importJWK(client.privateJwk, alg);
  const tokenUrl = `${baseUrl}/oauth/token`;
  const audience = `${publicBaseUrl.replace(/\/+$/, '')}/oauth/token`;
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ jti: crypto.randomUUID() })
    .setProtectedHeader({ alg, kid: client.privateJwk.kid, typ: 'JWT' })
    .setIssuer(client.clientId)
    .setSubject(client.clientId)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 240)
    .sign(key);
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token) {
    throw new Error(`token refused (${res.status}): ${body.error ?? ''} ${body.error_description ?? ''}`);
  }
  return body.access_token;
}
