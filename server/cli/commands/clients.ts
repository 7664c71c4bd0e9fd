import { createClientStore, type Registration } from '../../fhir/storage/auth/client-store.ts';
import type { OperatorCommand } from '../command.ts';

export type ClientsInput =
  | { action: 'register'; registration: Registration }
  | { action: 'list' }
  | { action: 'revoke'; clientId: string };

/** `npm run clients -- register | list | revoke`: the SMART client registry. */
export const clientsCommand: OperatorCommand<ClientsInput> = {
  name: 'clients',
  needs: 'database',
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
          out.result(`${c.clientId}\t${c.kind}\t${state}\t${c.name}\t${c.scope}${org}`);
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
