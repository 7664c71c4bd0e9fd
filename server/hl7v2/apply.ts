import type { AccessPolicy } from '../access/policy.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import type { SystemPrincipal } from '../auth/principal.ts';
import { FhirError } from '../fhir/errors.ts';
import type { Dispatch } from '../fhir/rest/dispatch.ts';
import type { RestContext } from '../fhir/rest/types.ts';
import type { RegisteredClient } from '../fhir/storage/auth/client-store.ts';
import type { Hl7MessageRecord } from '../fhir/storage/hl7-messages.ts';
import type { TransactionBundle } from '../../mappers/bundle.ts';
import { Hl7Refusal, type Hl7Sender } from './listener.ts';

export interface Hl7ApplyDeps {
  activeClient: (clientId: string) => Promise<RegisteredClient | undefined>;
  accessFor: (principal: SystemPrincipal) => Promise<AccessPolicy>;
  auditTrailFor: (principal: SystemPrincipal, access: AccessPolicy) => AuditTrail;
  context: (principal: SystemPrincipal, access: AccessPolicy, audit: AuditTrail) => RestContext;
  dispatch: Dispatch;
}

/**
 * Messages are applied as their sender's registered backend client, through the same dispatcher,
 * gate, validation, storage and access log as a transaction Bundle POSTed by that client: the
 * sender may do over MLLP exactly what its client may do over REST.
 */
export function createHl7Applier(deps: Hl7ApplyDeps) {
  async function principalOf(sender: Hl7Sender): Promise<SystemPrincipal> {
    const client = await deps.activeClient(sender.clientId);
    if (!client || client.kind !== 'backend') {
      throw new Hl7Refusal('AR', {
        segment: 'MSH',
        field: 4,
        code: '207',
        text: `The sender's client ${sender.clientId} is not an active backend client`,
      });
    }
    return {
      kind: 'system',
      via: 'hl7-mllp',
      clientId: client.clientId,
      ...(client.organizationId ? { organizationId: client.organizationId } : {}),
      ...(client.trusted ? { trusted: true } : {}),
      smart: { clientId: client.clientId, scope: client.scope },
    };
  }

  return {
    /** The sender as its registered client, looked up once per message (a revocation holds at once). */
    principalOf,

    /**
     * Applies the message and records it as applied in one database transaction: either both
     * commit or neither does, so a resend after any failure is applied exactly once. When
     * another node recorded the same control id first, this one rolls back (`AlreadyApplied`).
     */
    async apply(
      principal: SystemPrincipal,
      bundle: TransactionBundle,
      record: Omit<Hl7MessageRecord, 'status' | 'resources'>,
    ): Promise<string[]> {
      const access = await deps.accessFor(principal);
      const audit = deps.auditTrailFor(principal, access);
      const ctx = deps.context(principal, access, audit);
      let written: string[];
      try {
        written = await ctx.store.transaction(async (store, raw) => {
          const result = await deps.dispatch(
            { ...ctx, store },
            {
              method: 'POST',
              path: [],
              query: new URLSearchParams(),
              body: bundle,
              pre: {},
            },
          );
          const response = result.resource as { entry?: { response?: { location?: string } }[] } | undefined;
          const resources = (response?.entry ?? [])
            .map((e) => e.response?.location?.replace(/\/_history\/.*$/, '') ?? '')
            .filter(Boolean);
          if (!(await raw.hl7.record({ ...record, status: 'applied', resources })))
            throw new AlreadyApplied();
          return resources;
        });
      } catch (err) {
        await audit.commit().catch(() => undefined);
        // A refusal of the content (invalid, forbidden) is the sender's to fix: AE with the reason.
        if (err instanceof FhirError && err.status < 500) {
          throw new Hl7Refusal('AE', { code: '207', text: err.message });
        }
        throw err;
      }
      await audit.commit();
      return written;
    },
  };
}

/** The same control id was applied by another node meanwhile: this one's work is rolled back. */
export class AlreadyApplied extends Error {
  override name = 'AlreadyApplied';
}
