import type { Principal } from '../auth/principal.ts';
import type { Resource } from '../fhir/storage/types.ts';
import { buildAuditEvent, type AuditFacts } from './audit-event.ts';
import type { AuditWriter } from './audit-writer.ts';

/** What one interaction did, as the dispatcher saw it (reads, searches, refusals). */
export interface InteractionRecord {
  interaction: string;
  resourceType?: string;
  id?: string;
  query?: string;
  status: number;
  failure?: string;
  /** The resources the answer holds (their patients are recorded). */
  resources: Resource[];
}

/** One change the store made (in the transaction that makes it). */
export interface WriteRecord {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  resourceType: string;
  id: string;
  /** The version replaced or deleted, and the one written. */
  before?: Resource;
  after?: Resource;
}

/**
 * The AuditEvents of one request. Reads and refusals are recorded by the dispatcher as they end
 * and committed (`commit`) before the answer leaves. Changes are recorded by the store inside the
 * transaction that makes them (`writeEvents`), so no change is ever committed without its log.
 * As IHE BALP has it, each patient gets an event of their own, naming only them: a search over
 * three patients writes one event with the query (for the requester and the auditors) and one
 * per patient without it (the query may name the others).
 */
export interface AuditTrail {
  record(entry: InteractionRecord): void;
  writeEvents(writes: WriteRecord[]): Resource[];
  commit(): Promise<void>;
}

const ref = (r: { resourceType: string; id?: unknown }) => `${r.resourceType}/${String(r.id)}`;

const WRITE_INTERACTION: Record<WriteRecord['method'], string> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

export function createAuditTrail(deps: {
  writer: AuditWriter;
  principal: Principal;
  patientsOf: (resource: Resource) => string[];
  /** On what the caller sees a patient's data (the policy's AccessPolicy.basisOf). */
  basisOf?: (patientId: string) => readonly string[];
  server: string;
  clientAddress?: string;
}): AuditTrail {
  const events: Resource[] = [];
  const event = (facts: Omit<AuditFacts, 'principal' | 'recorded' | 'server' | 'clientAddress'>) =>
    buildAuditEvent({
      ...facts,
      principal: deps.principal,
      recorded: new Date(),
      server: deps.server,
      ...(deps.clientAddress ? { clientAddress: deps.clientAddress } : {}),
    });

  /** The resources of each patient among `resources`. */
  function byPatient(resources: Resource[]): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const r of resources) {
      for (const patient of deps.patientsOf(r)) {
        const set = out.get(patient) ?? new Set<string>();
        set.add(ref(r));
        out.set(patient, set);
      }
    }
    return out;
  }

  return {
    record(entry) {
      const common = {
        interaction: entry.interaction,
        ...(entry.resourceType ? { resourceType: entry.resourceType } : {}),
        ...(entry.id ? { id: entry.id } : {}),
        status: entry.status,
        ...(entry.failure ? { failure: entry.failure } : {}),
      };
      const patients = byPatient(entry.resources);
      // The query (it may name other patients) and an answer about no patient: one event for
      // the requester and the auditors; each patient disclosed: one of their own.
      if (entry.query || patients.size === 0) {
        events.push(event({ ...common, ...(entry.query ? { query: entry.query } : {}) }));
      }
      for (const [patient, resources] of patients) {
        const basis = deps.basisOf?.(patient);
        events.push(event({ ...common, patient, resources: [...resources], ...(basis ? { basis } : {}) }));
      }
    },
    writeEvents(writes) {
      const out: Resource[] = [];
      const groups = new Map<string, { interaction: string; patient?: string; resources: Set<string> }>();
      for (const w of writes) {
        const interaction = w.method === 'PUT' && !w.before ? 'create' : WRITE_INTERACTION[w.method];
        const patients = new Set([
          ...(w.before ? deps.patientsOf(w.before) : []),
          ...(w.after ? deps.patientsOf(w.after) : []),
        ]);
        for (const patient of patients.size ? [...patients] : [undefined]) {
          const key = `${interaction} ${patient ?? ''}`;
          const group = groups.get(key) ?? {
            interaction,
            ...(patient ? { patient } : {}),
            resources: new Set(),
          };
          group.resources.add(`${w.resourceType}/${w.id}`);
          groups.set(key, group);
        }
      }
      for (const g of groups.values()) {
        out.push(
          event({
            interaction: g.interaction,
            status: g.interaction === 'create' ? 201 : 200,
            ...(g.patient ? { patient: g.patient } : {}),
            resources: [...g.resources],
          }),
        );
      }
      return out;
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
