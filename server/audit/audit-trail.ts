import type { Principal } from '../auth/principal.ts';
import type { Resource } from '../fhir/storage/types.ts';
import { buildAuditEvent } from './audit-event.ts';
import type { AuditWriter } from './audit-writer.ts';

/** What one interaction did, as the dispatcher saw it. */
export interface InteractionRecord {
  interaction: string;
  resourceType?: string;
  id?: string;
  query?: string;
  status: number;
  failure?: string;
  /** The resources the answer holds or the write wrote (their patients are recorded). */
  resources: Resource[];
}

/**
 * The AuditEvents of one request: every interaction (a Bundle's entries each on their own) is
 * recorded as it ends, and `commit` makes them durable before the answer is sent.
 */
export interface AuditTrail {
  record(entry: InteractionRecord): void;
  commit(): Promise<void>;
}

export function createAuditTrail(deps: {
  writer: AuditWriter;
  principal: Principal;
  patientsOf: (resource: Resource) => string[];
  server: string;
  clientAddress?: string;
}): AuditTrail {
  const events: Resource[] = [];
  return {
    record(entry) {
      const patients = new Set<string>();
      for (const resource of entry.resources) for (const id of deps.patientsOf(resource)) patients.add(id);
      events.push(
        buildAuditEvent({
          principal: deps.principal,
          interaction: entry.interaction,
          ...(entry.resourceType ? { resourceType: entry.resourceType } : {}),
          ...(entry.id ? { id: entry.id } : {}),
          ...(entry.query ? { query: entry.query } : {}),
          status: entry.status,
          ...(entry.failure ? { failure: entry.failure } : {}),
          patients: [...patients].sort(),
          recorded: new Date(),
          server: deps.server,
          ...(deps.clientAddress ? { clientAddress: deps.clientAddress } : {}),
        }),
      );
    },
    async commit() {
      const pending = events.splice(0);
      await deps.writer.write(pending);
    },
  };
}

/** The resources in an answer: the resource itself, or each entry of a Bundle. */
export function resourcesIn(answer: Resource | undefined): Resource[] {
  if (!answer) return [];
  if (answer.resourceType !== 'Bundle') return [answer];
  const entries = (answer.entry as { resource?: Resource }[] | undefined) ?? [];
  return entries.flatMap((e) => (e.resource ? resourcesIn(e.resource) : []));
}
