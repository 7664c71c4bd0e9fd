import { createClientStore, type Registration } from '../../fhir/storage/auth/client-store.ts';
import type { OperatorCommand } from '../command.ts';
import { InputError, optionalText, record, text, texts } from './input.ts';

export type ClientsInput =
  | { action: 'register'; registration: Registration }
  | { action: 'list' }
  | { action: 'revoke'; clientId: string };

function registration(value: unknown): Registration {
  const r = record(value, 'registration');
  const redirectUris = r.redirectUris === undefined ? [] : texts(r.redirectUris, 'redirectUris');
  let jwks: Registration['jwks'];
  if (r.jwks !== undefined) {
    const keys = record(r.jwks, 'jwks').keys;
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'object' || k === null)) {
      throw new InputError('jwks must be a JWKS ({"keys": [...]})');
    }
    if (keys.some((k) => 'd' in (k as object)))
      throw new InputError('jwks holds a private key; register the public JWKS only');
    jwks = { keys: keys as object[] };
  }
  const jwksUri = optionalText(r.jwksUri, 'jwksUri');
  if (!redirectUris.length && !jwks && !jwksUri) {
    throw new InputError('a backend client needs jwks or jwksUri; an app needs redirectUris');
  }
  const organizationId = optionalText(r.organizationId, 'organizationId');
  return {
    name: text(r.name, 'name'),
    scope: text(r.scope, 'scope'),
    ...(jwks ? { jwks } : {}),
    ...(jwksUri ? { jwksUri } : {}),
    ...(redirectUris.length ? { redirectUris } : {}),
    ...(r.public === true ? { public: true } : {}),
    ...(organizationId ? { organizationId } : {}),
    ...(r.trusted === true ? { trusted: true } : {}),
  };
}

/** `npm run clients -- register | list | revoke`: the SMART client registry. */
export const clientsCommand: OperatorCommand<ClientsInput> = {
  name: 'clients',
  needs: 'database',
  parse(value) {
    const input = record(value);
    switch (input.action) {
      case 'register':
        return { action: 'register', registration: registration(input.registration) };
      case 'list':
        return { action: 'list' };
      case 'revoke':
        return { action: 'revoke', clientId: text(input.clientId, 'clientId') };
      default:
        throw new InputError('action must be register, list or revoke');
    }
  },
  async execute(input, { db, out }) {
    const clients = createClientStore(db.knex);
    switch (input.action) {
      case 'register': {
        const { client, clientSecret } = await clients.register(input.registration);
        out.result(
          JSON.stringify(
            {
              client_id: client.clientId,
              ...(clientSecret ? { client_secret: clientSecret } : {}),
              kind: client.kind,
              name: client.name,
              scope: client.scope,
              ...(client.organizationId ? { organization: `Organization/${client.organizationId}` } : {}),
              ...(client.trusted ? { trusted: true } : {}),
            },
            null,
            2,
          ),
        );
        if (clientSecret)
          out.note('The client secret is shown once; it is not stored in clear anywhere else.');
        return 0;
      }
      case 'list':
        for (const c of await clients.list()) {
          const state = c.revokedAt ? `revoked ${c.revokedAt.toISOString()}` : 'active';
          const org = c.organizationId ? ` Organization/${c.organizationId}` : '';
          const trusted = c.trusted ? ' trusted' : '';
          out.result(`${c.clientId}\t${c.kind}\t${state}\t${c.name}\t${c.scope}${org}${trusted}`);
        }
        return 0;
      case 'revoke':
        if (!(await clients.revoke(input.clientId))) {
          out.note(`no active client ${input.clientId}`);
          return 1;
        }
        out.result(`revoked ${input.clientId}`);
        return 0;
    }
  },
};
