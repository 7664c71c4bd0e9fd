import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { loadConfig } from '../config.ts';
import type { Registration } from '../fhir/storage/auth/client-store.ts';
import { clientCredentialsToken } from './client-token.ts';
import { clientsCommand } from '../operator/commands/clients.ts';
import { runCommand } from '../operator/run-command.ts';

/**
 * `npm run clients -- <command>`: the SMART client registry, in the database, so a registration
 * or revocation takes effect on running servers at once (on an embedded database the running
 * server carries the command out: server/operator/run-command.ts).
 *
 *   register --name N --key key.json|--jwks-file F|--jwks-url U --scope "system/*.rs" [--organization Organization/1] [--trusted]
 *                                   a backend client sees its organisation's patients (treatment
 *                                   relationship ∧ consent); --trusted: the whole server (an
 *                                   integration engine, a migration; never a hospital's own HIS)
 *   register --name N --redirect-uri U [--redirect-uri U2] --scope "…" [--public] [--jwks-file F]
 *   list
 *   revoke <client_id>
 *   keygen [--alg ES384|RS384]      prints a private JWK and the public JWKS to register (testing)
 *   token [--base URL] --client-id ID --key key.json [--scope S]
 *                                   a backend access token, asked for as the client would
 *                                   (--base defaults to this machine's server: BASE_URL or HOST:PORT)
 */
const USAGE = `usage: npm run clients -- register --name N (--key key.json | --jwks-file F | --jwks-url U | --redirect-uri U [--public]) --scope S [--organization Organization/id]
       npm run clients -- list
       npm run clients -- revoke <client_id>
       npm run clients -- keygen [--alg ES384|RS384|ES256|RS256]
       npm run clients -- token [--base URL] --client-id ID --key key.json [--scope S]`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    scope: { type: 'string' },
    'jwks-file': { type: 'string' },
    'jwks-url': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    public: { type: 'boolean' },
    organization: { type: 'string' },
    trusted: { type: 'boolean' },
    alg: { type: 'string' },
    base: { type: 'string' },
    'client-id': { type: 'string' },
    key: { type: 'string' },
  },
});
const [command, ...rest] = positionals;

async function keygen() {
  const alg = values.alg ?? 'ES384';
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `key-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 8)}`;
  const meta = { kid, alg, use: 'sig' };
  const out = {
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
    publicJwks: { keys: [{ ...(await exportJWK(publicKey)), ...meta }] },
  };
  console.log(JSON.stringify(out, null, 2));
}

function registration(): Registration {
  if (!values.name) fail('--name is required');
  if (!values.scope) fail('--scope is required');
  const redirectUris = values['redirect-uri'] ?? [];
  // --key: the keygen output, whose public half is registered (the private half never leaves it).
  const jwksFile = values['jwks-file'] ?? values.key;
  const parsed = jwksFile
    ? (JSON.parse(readFileSync(jwksFile, 'utf8')) as { keys?: object[]; publicJwks?: { keys?: object[] } })
    : undefined;
  const jwks = parsed?.publicJwks ?? parsed;
  if (jwks && !Array.isArray(jwks.keys)) fail(`${jwksFile} is not a JWKS ({"keys": [...]})`);
  if (jwks?.keys?.some((k) => 'd' in k))
    fail(`${jwksFile} holds a private key; register the public JWKS only`);
  if (!redirectUris.length && !jwks && !values['jwks-url']) {
    fail('a backend client needs --jwks-file or --jwks-url; an app needs --redirect-uri');
  }
  const organization = values.organization?.replace(/^Organization\//, '');
  return {
    name: values.name,
    scope: values.scope,
    ...(jwks ? { jwks: jwks as { keys: object[] } } : {}),
    ...(values['jwks-url'] ? { jwksUri: values['jwks-url'] } : {}),
    ...(redirectUris.length ? { redirectUris } : {}),
    ...(values.public ? { public: true } : {}),
    ...(organization ? { organizationId: organization } : {}),
    ...(values.trusted ? { trusted: true } : {}),
  };
}

/** Prints an access token: what a hospital system does, for a first request or a check at 3 a.m. */
async function token() {
  const config = loadConfig();
  const base = (values.base ?? config.baseUrl ?? `http://${config.host}:${config.port}`).replace(/\/+$/, '');
  const clientId = values['client-id'] ?? fail('token needs --client-id');
  const keyFile = values.key ?? fail('token needs --key (the keygen output or a private JWK)');
  const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { privateJwk?: JWK } & JWK;
  const privateJwk = key.privateJwk ?? key;
  if (!('d' in privateJwk)) fail(`${keyFile} holds no private key`);
  console.log(await clientCredentialsToken(base, { clientId, privateJwk }, values.scope ?? 'system/*.rs'));
}

if (command === 'keygen') {
  await keygen();
} else if (command === 'token') {
  await token();
} else if (command === 'register') {
  await runCommand(clientsCommand, { action: 'register', registration: registration() });
} else if (command === 'list') {
  await runCommand(clientsCommand, { action: 'list' });
} else if (command === 'revoke') {
  await runCommand(clientsCommand, {
    action: 'revoke',
    clientId: rest[0] ?? fail('revoke needs a client_id'),
  });
} else {
  fail(command ? `unknown command ${command}` : 'a command is needed');
}
